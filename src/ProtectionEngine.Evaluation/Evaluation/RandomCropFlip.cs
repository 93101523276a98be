using TorchSharp;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// The victim's augmentation: every image gets its own random crop of the original size out of a reflect-padded copy,
/// and a horizontal flip with probability 1/2. Per sample, not per batch: a per-batch shift would move a whole batch's
/// perturbation together and misrepresent how standard training loaders treat a shortcut.
/// </summary>
internal static class RandomCropFlip
{
    /// <param name="images">[N, C, H, W].</param>
    /// <param name="padding">Pixels of reflect padding on each side (must be below H and W).</param>
    public static Tensor Apply(Tensor images, int padding, Random random)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(random);
        if (images.dim() != 4)
            throw new ArgumentException("Expected images of shape [N, C, H, W].", nameof(images));
        long n = images.shape[0], h = images.shape[2], w = images.shape[3];
        if (padding < 0 || padding >= h || padding >= w)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "Reflect padding must be smaller than the image.");

        using var scope = NewDisposeScope();
        var padded = padding == 0 ? images : nn.functional.pad(images, [padding, padding, padding, padding], PaddingModes.Reflect);
        var crops = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            var (top, left, flip) = Draw(padding, random);
            var crop = padded[i].narrow(1, top, h).narrow(2, left, w);
            crops[i] = flip ? crop.flip(2) : crop;
        }
        return stack(crops).MoveToOuterDisposeScope();
    }

    private static (int Top, int Left, bool Flip) Draw(int padding, Random random) =>
        (random.Next(2 * padding + 1), random.Next(2 * padding + 1), random.Next(2) == 1);
}
