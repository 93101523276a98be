using TorchSharp.Modules;
using UploadGuard.ProtectionEngine.Networks;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Networks;

public sealed class VictimInitialisationTests
{
    [Theory]
    [InlineData(VictimArchitecture.ResNet20)]
    [InlineData(VictimArchitecture.Vgg)]
    [InlineData(VictimArchitecture.MobileNetV2)]
    public void Resetting_the_classifier_redraws_the_one_linear_layer_from_the_seed_and_keeps_every_other_weight(VictimArchitecture architecture)
    {
        using var victim = VictimArchitectures.Create(architecture, 5);
        using (var first = new Generator(1))
            VictimInitialisation.Apply(victim, first);
        var before = Weights(victim);

        using (var reset = new Generator(2))
            VictimInitialisation.ResetClassifier(victim, reset);
        var after = Weights(victim);

        Assert.Single(victim.modules().OfType<Linear>());
        Assert.Equal(2, before.Keys.Count(IsClassifier));   // its weight and bias
        foreach (var (name, values) in before)
        {
            if (IsClassifier(name))
                Assert.NotEqual(values, after[name]);
            else
                Assert.Equal(values, after[name]);
        }

        using (var again = new Generator(2))
            VictimInitialisation.ResetClassifier(victim, again);
        Assert.Equal(after, Weights(victim));
    }

    private static bool IsClassifier(string name) => name.StartsWith("classifier.", StringComparison.Ordinal);

    private static Dictionary<string, float[]> Weights(nn.Module module) =>
        module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().data<float>().ToArray());
}
