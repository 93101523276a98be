using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>
/// Cuts a window out of the images and scales it back to their size: the shifts and zooms of a victim's random-crop
/// augmentation, which misalign any fixed per-pixel pattern.
/// </summary>
public static class ResizedCrop
{
    /// <param name="images">[N, 3, H, W].</param>
    /// <param name="top">First row of the window.</param>
    /// <param name="left">First column of the window.</param>
    /// <param name="height">Rows in the window.</param>
    /// <param name="width">Columns in the window.</param>
    public static Tensor Apply(Tensor images, long top, long left, long height, long width)
    {
        TransformChecks.RequireImages(images);
        long fullHeight = images.shape[2], fullWidth = images.shape[3];
        if (height < 1 || width < 1 || top < 0 || left < 0 || top + height > fullHeight || left + width > fullWidth)
            throw new ArgumentOutOfRangeException(nameof(height), $"The window {width}x{height} at ({left}, {top}) is not inside {fullWidth}x{fullHeight}.");

        using var scope = NewDisposeScope();
        var window = images.narrow(2, top, height).narrow(3, left, width);
        var resized = functional.interpolate(window, [fullHeight, fullWidth], mode: InterpolationMode.Bilinear, align_corners: false);
        return resized.clamp(0, 1).MoveToOuterDisposeScope();
    }
}
