using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Training;

public sealed class ProxyClassifierTests
{
    [Fact]
    public void Prepare_shrinks_to_the_proxy_size_and_keeps_the_batch()
    {
        using var proxy = new ProxyClassifier(concepts: 3, size: 16, learningRate: 1e-3, seed: 1, CPU);
        using var images = rand(5, 3, 48, 40);
        using var prepared = proxy.Prepare(images, new Random(1));
        Assert.Equal([5L, 3, 16, 16], prepared.shape);
        Assert.InRange(prepared.min().item<float>(), 0f, 1f);
        Assert.InRange(prepared.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void Its_initial_weights_come_from_its_seed_alone_whatever_else_draws_from_the_global_generator()
    {
        using var first = new ProxyClassifier(concepts: 3, size: 16, learningRate: 1e-3, seed: 7, CPU);
        manual_seed(123);
        using (rand(1000)) { }   // another network being built, or anything else drawing from the global generator
        using var second = new ProxyClassifier(concepts: 3, size: 16, learningRate: 1e-3, seed: 7, CPU);
        using var other = new ProxyClassifier(concepts: 3, size: 16, learningRate: 1e-3, seed: 8, CPU);

        var a = first.Network.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var b = second.Network.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var c = other.Network.parameters().Select(p => p.data<float>().ToArray()).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void The_proxy_learns_a_concept_written_into_the_pixels_and_the_loss_reaches_the_perturbation()
    {
        using var proxy = new ProxyClassifier(concepts: 2, size: 16, learningRate: 3e-3, seed: 1, CPU);
        using var concepts = tensor(Enumerable.Range(0, 16).Select(i => (long)(i % 2)).ToArray());
        // Concept 1 is brighter in red: the easiest possible shortcut.
        using var shift = concepts.to_type(ScalarType.Float32).view(16, 1, 1, 1) * tensor(new[] { 0.3f, 0f, 0f }).view(1, 3, 1, 1);
        var random = new Random(2);
        double accuracy = 0;
        for (int step = 0; step < 40; step++)
        {
            using var scope = NewDisposeScope();
            var images = (rand(16, 3, 16, 16) * 0.6 + shift).clamp(0, 1);
            accuracy = proxy.Learn(proxy.Prepare(images, random), concepts);
        }
        Assert.True(accuracy >= 0.9, $"accuracy {accuracy}");

        using var perturbation = zeros(16, 3, 16, 16, requires_grad: true);
        using var clean = rand(16, 3, 16, 16) * 0.6 + 0.2;
        var (loss, terms) = proxy.Evaluate(proxy.Prepare(clean + perturbation, random), concepts, proxy.Prepare(clean, random), accuracy);
        using (loss)
            loss.backward();
        Assert.True(perturbation.grad is { } grad && grad.abs().sum().item<float>() > 0, "no gradient reached the perturbation");
        Assert.Equal(accuracy, terms[ProxyClassifier.PerturbedAccuracy]);
        Assert.InRange(terms[ProxyClassifier.CleanAccuracy], 0, 1);
    }
}
