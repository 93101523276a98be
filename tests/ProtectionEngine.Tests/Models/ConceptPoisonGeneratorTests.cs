using UploadGuard.ProtectionEngine.Evaluation.Victims;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Tests.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Models;

// Building a ResNet-20 draws from torch's global generator: kept out of the way of the seeded training runs.
[Collection(SharedSurrogateGroup.Name)]
public sealed class ConceptPoisonGeneratorTests
{
    [Fact]
    public void Its_descent_moves_the_crafting_network_toward_each_photos_target_concept_within_epsilon()
    {
        using var poison = Poison(seed: 11);
        using var photos = rand(6, 3, 16, 16, generator: new TorchSharp.torch.Generator(12));
        using var noGrad = no_grad();

        using var output = poison.call(photos);
        using var concepts = poison.Concept(photos);
        using var aims = poison.TargetsOf(concepts);
        using var perturbed = (photos + output * (8 / 255.0)).clamp(0, 1);

        Assert.Equal(photos.shape, output.shape);
        Assert.True(output.abs().max().item<float>() <= 1f);
        Assert.True(aims.ne(concepts).all().item<bool>(), "a photo is never aimed at its own concept");
        double before = poison.Loss(photos, aims).item<float>();
        double after = poison.Loss(perturbed, aims).item<float>();
        Assert.True(after < before, $"cross-entropy toward the targets {before:0.000} before, {after:0.000} after");
        // Zero start and no randomness: the same photos get the same perturbation.
        using var again = poison.call(photos);
        Assert.Equal(output.data<float>().ToArray(), again.data<float>().ToArray());
    }

    [Fact]
    public void Targets_must_be_other_concepts_and_the_state_round_trips_through_the_weights_format()
    {
        using var poison = Poison(seed: 13);
        using var network = new ResNet20(3);
        Assert.Throws<ArgumentException>(() => poison.Set(network, [1, 1, 0]));   // concept 1 aimed at itself
        Assert.Throws<ArgumentException>(() => poison.Set(network, [1, 2]));      // one target missing

        var exported = GeneratorWeights.Export(poison);
        Assert.Contains(exported, t => t.Name == ConceptPoisonGenerator.TargetsName && t.Shape.SequenceEqual([3L]));
        Assert.Equal(poison.ParameterCount, exported.Sum(t => (long)t.Data.Length));
        using var copy = new ConceptPoisonGenerator(3, 8);
        GeneratorWeights.Import(copy, exported.ToDictionary(t => t.Name));
        copy.eval();
        using var photos = rand(2, 3, 16, 16, generator: new TorchSharp.torch.Generator(14));
        using var noGrad = no_grad();
        Assert.Equal(poison.call(photos).data<float>().ToArray(), copy.call(photos).data<float>().ToArray());
    }

    /// <summary>A poison over 3 concepts whose crafting network is a ResNet-20 initialised from a local seed.</summary>
    private static ConceptPoisonGenerator Poison(int seed)
    {
        var poison = new ConceptPoisonGenerator(3, 8);
        using var network = new ResNet20(3);
        using (var random = new TorchSharp.torch.Generator((ulong)seed))
            VictimInitialisation.Apply(network, random);
        poison.Set(network, [1, 2, 0]);
        poison.eval();
        return poison;
    }
}
