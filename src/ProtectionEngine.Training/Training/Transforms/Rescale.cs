using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>
/// Downscales and scales back to the original size: a victim training at a lower resolution sees only what survives
/// the downscale (fine per-pixel patterns average away).
/// </summary>
internal static class Rescale
{
    /// <summary>No side is downscaled below this, so later blocks (8x8 JPEG) and convolutions still fit.</summary>
    public const int MinimumSide = 8;

    /// <param name="images">[N, 3, H, W].</param>
    /// <param name="scale">Factor of the intermediate size, in (0, 1].</param>
    public static Tensor Apply(Tensor images, double scale)
    {
        TransformChecks.RequireImages(images);
        if (scale is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be in (0, 1].");
        long height = images.shape[2], width = images.shape[3];
        long smallHeight = Math.Clamp((long)Math.Round(height * scale), Math.Min(MinimumSide, height), height);
        long smallWidth = Math.Clamp((long)Math.Round(width * scale), Math.Min(MinimumSide, width), width);
        if (smallHeight == height && smallWidth == width)
            return images.alias();

        using var scope = NewDisposeScope();
        // Antialiased like a photo library's resize (PIL, ImageSharp), not point-sampled.
        var small = functional.interpolate(images, [smallHeight, smallWidth], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        var back = functional.interpolate(small, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        return back.clamp(0, 1).MoveToOuterDisposeScope();
    }
}
