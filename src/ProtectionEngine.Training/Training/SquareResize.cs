using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// [N, C, H, W] images to a square side, the way every network here that sees photos at a fixed size takes them
/// (the surrogate, the stand-in victims): bilinear, antialiased when shrinking so that the small view
/// keeps what a scraper's downscale keeps, and differentiable, so perturbations can be optimised through it.
/// </summary>
public static class SquareResize
{
    /// <summary>The images at <paramref name="size"/> x <paramref name="size"/>; the same tensor when already that size.</summary>
    public static Tensor To(Tensor images, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.shape[2] == size && images.shape[3] == size)
            return images;
        bool shrinking = images.shape[2] > size || images.shape[3] > size;
        return functional.interpolate(images, [size, size], mode: InterpolationMode.Bilinear, align_corners: false, antialias: shrinking);
    }
}
