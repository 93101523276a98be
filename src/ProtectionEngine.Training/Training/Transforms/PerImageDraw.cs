using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>Per-image random choices for a batch transform, drawn from the caller's seeded <see cref="Random"/> so a step is reproducible.</summary>
internal static class PerImageDraw
{
    /// <summary>One draw per image: true with <paramref name="probability"/>.</summary>
    public static Tensor Mask(Random random, long count, double probability)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new bool[count];
        for (int i = 0; i < count; i++)
            values[i] = random.NextDouble() < probability;
        return tensor(values);
    }
}
