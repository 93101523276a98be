using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Training;

public sealed class GeneratorInitialisationTests
{
    [Fact]
    public void The_seed_alone_decides_the_weights()
    {
        using var a = Initialised(seed: 5);
        // Draws on the global generator in between must not matter.
        using (rand(1000)) { }
        using var b = Initialised(seed: 5);
        using var c = Initialised(seed: 6);

        var wa = GeneratorWeights.Export(a);
        Assert.Equal(wa.Select(t => t.Data), GeneratorWeights.Export(b).Select(t => t.Data));
        Assert.NotEqual(wa.Select(t => t.Data), GeneratorWeights.Export(c).Select(t => t.Data));
    }

    [Fact]
    public void Follows_pytorchs_default_distributions()
    {
        using var generator = Initialised(seed: 1);
        var parameters = generator.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        var stem = parameters["encoder.0.weight"];   // 3 -> 16 channels, 7x7
        double bound = 1 / Math.Sqrt(3 * 7 * 7);
        Assert.True(stem.abs().max().item<float>() <= bound);
        Assert.True(stem.std().item<float>() > bound / 3);
        Assert.True(parameters["encoder.1.weight"].eq(1).all().item<bool>());
        Assert.True(parameters["encoder.1.bias"].eq(0).all().item<bool>());
        Assert.True(parameters["decoder.8.bias"].abs().max().item<float>() > 0);
    }

    private static PerturbationGenerator Initialised(long seed)
    {
        var generator = new PerturbationGenerator(GeneratorArchitecture.Default);
        GeneratorInitialisation.Reset(generator, seed);
        return generator;
    }
}
