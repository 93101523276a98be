using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>A model registry in a temp folder whose active model is owner-keyed (random, unfitted atoms: fast on two cores).</summary>
public static class OwnerKeyedRegistry
{
    public const string Version = "test-owner-texture";

    /// <summary>Creates the registry in <paramref name="folder"/> and returns the folder, for <c>Engine__ModelsPath</c>.</summary>
    public static string Create(string folder, int workingSize = 64, int seed = 3)
    {
        var registry = new ModelRegistry(folder);
        using var generator = new OwnerTextureGenerator();
        generator.Reset(seed);
        registry.Save(new ModelCard
        {
            Version = Version,
            Trained = false,
            Architecture = generator.Architecture,
            Parameters = generator.ParameterCount,
            WorkingSize = workingSize,
            Epsilon = 8,
            Weights = new ModelWeightsFile("generator.safetensors", "safetensors", ""),
            TrainingData = "none: gateway test fixture (random atoms)",
            Created = DateTimeOffset.UtcNow,
        }, generator);
        registry.SetActive(Version);
        return folder;
    }
}
