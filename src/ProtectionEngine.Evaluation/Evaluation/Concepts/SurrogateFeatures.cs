using UploadGuard.ProtectionEngine.Surrogate;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>
/// Photos through the frozen ResNet-18 surrogate at a chosen size: what the trainer clusters into concepts and what the
/// evaluation's concept row clusters the same way.
/// </summary>
internal static class SurrogateFeatures
{
    /// <summary>Images in [0, 1] at the surrogate's size and scale (0..255).</summary>
    public static Tensor Input(Tensor images, int size)
    {
        using var scope = NewDisposeScope();
        return (SquareResize.To(images, size) * 255).MoveToOuterDisposeScope();
    }

    /// <summary>The clean features of <paramref name="count"/> photos as a [count, 512] CPU tensor, a batch at a time.</summary>
    /// <param name="batch">The photos with these indices, [N, 3, H, W] in [0, 1] on the surrogate's device.</param>
    /// <param name="done">Called with the number of photos done after each batch.</param>
    public static Tensor Extract(ResNet18Surrogate surrogate, int count, Func<int[], Tensor> batch, int size, int batchSize,
        Action<int>? done = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(surrogate);
        ArgumentNullException.ThrowIfNull(batch);
        using var noGrad = no_grad();
        var values = new float[checked(count * ResNet18Surrogate.FeatureCount)];
        for (int first = 0; first < count; first += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(first, Math.Min(batchSize, count - first)).ToArray();
            var features = surrogate.call(Input(batch(indices), size));
            features.cpu().contiguous().data<float>().CopyTo(values, checked(first * ResNet18Surrogate.FeatureCount));
            done?.Invoke(first + indices.Length);
        }
        return tensor(values, [count, ResNet18Surrogate.FeatureCount]);
    }
}
