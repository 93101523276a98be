using TorchSharp;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Evaluation.Victims;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Trains the crafting network of a <see cref="Models.ConceptPoisonGenerator"/>: a from-scratch ResNet-20 that learns
/// the photos' k-means concepts (no labels) at the scraper's scale with the victims' own recipe
/// (<see cref="VictimTrainer.Fit"/>: SGD, one-cycle, crops and flips), so that it picks up what an attacker's network
/// would pick up from such photos, which the ImageNet surrogate at its own scale does not.
/// </summary>
public static class CraftingNetwork
{
    /// <param name="count">Photos to learn from.</param>
    /// <param name="batch">The photos with these indices, [N, 3, H, W] in [0, 1] at any size (shrunk to <paramref name="size"/>).</param>
    /// <param name="concepts">Each photo's concept, 0..<paramref name="k"/>-1.</param>
    /// <param name="checkpoints">Where each epoch is saved and a stopped run resumes from (<see cref="CraftingCheckpoints"/>).</param>
    /// <returns>The trained network in evaluation mode, and how its training went (its accuracy on the concepts).</returns>
    public static (nn.Module<Tensor, Tensor> Network, VictimRunResult Training) Train(int count, Func<int[], Tensor> batch, IReadOnlyList<int> concepts, int k,
        int size, int epochs, int seed, Device device, IProgress<VictimEpoch>? progress = null, IEpochCheckpoints? checkpoints = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(concepts);
        if (concepts.Count != count)
            throw new ArgumentException($"Need one concept for each of the {count} photos.", nameof(concepts));
        var small = new List<byte[]>(count);
        for (int first = 0; first < count; first += 64)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(first, Math.Min(64, count - first)).ToArray();
            var levels = SquareResize.To(batch(indices), size).mul_(255).round_().clamp_(0, 255).to(ScalarType.Byte).cpu();
            for (int i = 0; i < indices.Length; i++)
                small.Add(levels[i].contiguous().data<byte>().ToArray());
        }
        var images = new LabeledImages(size, small, concepts, [.. Enumerable.Range(0, k).Select(c => $"concept-{c}")]);
        return VictimTrainer.Fit(VictimArchitecture.ResNet20, images, new VictimRecipe { Epochs = epochs }, seed, device, progress, checkpoints, cancellationToken);
    }
}
