using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Models.ResNetGenerator;

namespace UploadGuard.ProtectionEngine.Tests.Support;

/// <summary>Temporary model registries and engines for tests.</summary>
public static class TestEngine
{
    /// <summary>The registry shipped in models/, copied beside the test assembly.</summary>
    public static string ShippedModels => EngineOptions.DefaultModelsPath;

    /// <summary>A registry in a fresh temp folder holding one small untrained model (fast on two cores).</summary>
    public static ModelRegistry SmallRegistry(string version = "test-small", int workingSize = 32, long seed = 7)
    {
        var registry = new ModelRegistry(Path.Combine(Path.GetTempPath(), "uploadguard-tests", Guid.NewGuid().ToString("N")));
        AddSmallModel(registry, version, workingSize, seed);
        registry.SetActive(version);
        return registry;
    }

    public static ModelCard AddSmallModel(ModelRegistry registry, string version, int workingSize = 32, long seed = 7)
    {
        random.manual_seed(seed);
        using var generator = new PerturbationGenerator(new GeneratorArchitecture(ResNetGeneratorFamily.Instance.Name, 4, 1));
        return SaveUntrained(registry, version, workingSize, generator, "none: test fixture");
    }

    /// <summary>An owner-keyed model with random (unfitted) atoms drawn from <paramref name="seed"/>.</summary>
    public static ModelCard AddOwnerTextureModel(ModelRegistry registry, string version, int workingSize = 64, int seed = 3,
        OwnerTextureFamily? family = null)
    {
        using var generator = new OwnerTextureGenerator(family ?? OwnerTextureFamily.Colour);
        generator.Reset(seed);
        return SaveUntrained(registry, version, workingSize, generator, "none: test fixture (random atoms)");
    }

    private static ModelCard SaveUntrained(ModelRegistry registry, string version, int workingSize, GeneratorModule generator, string trainingData) =>
        registry.Save(new ModelCard
        {
            Version = version,
            Trained = false,
            Architecture = generator.Architecture,
            Parameters = generator.ParameterCount,
            WorkingSize = workingSize,
            Epsilon = 8,
            Weights = new ModelWeightsFile("generator.safetensors", "safetensors", ""),
            TrainingData = trainingData,
            Created = DateTimeOffset.UtcNow,
        }, generator);

    /// <summary>An engine whose active model is a fresh <see cref="AddOwnerTextureModel"/>.</summary>
    public static ProtectionEngineHost OwnerKeyed(int workingSize = 64, ImagingOptions? imaging = null)
    {
        var registry = new ModelRegistry(Path.Combine(Path.GetTempPath(), "uploadguard-tests", Guid.NewGuid().ToString("N")));
        AddOwnerTextureModel(registry, "test-owner-texture", workingSize);
        registry.SetActive("test-owner-texture");
        return ProtectionEngineHost.Create(new EngineOptions { ModelsPath = registry.Root, Device = "cpu" }, imaging ?? new ImagingOptions(), new BatchingOptions());
    }

    public static ProtectionEngineHost Small(ImagingOptions? imaging = null, BatchingOptions? batching = null, string version = "test-small") =>
        ProtectionEngineHost.Create(
            new EngineOptions { ModelsPath = SmallRegistry(version).Root, Device = "cpu" },
            imaging ?? new ImagingOptions(),
            batching ?? new BatchingOptions());
}
