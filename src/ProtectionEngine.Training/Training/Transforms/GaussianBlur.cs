using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>A separable Gaussian blur (reflected edges): mild smoothing strips high-frequency perturbations.</summary>
internal static class GaussianBlur
{
    /// <param name="images">[N, 3, H, W].</param>
    /// <param name="sigma">Standard deviation in pixels, &gt; 0; the kernel reaches out 2 sigma.</param>
    public static Tensor Apply(Tensor images, double sigma)
    {
        TransformChecks.RequireImages(images);
        if (sigma <= 0 || double.IsNaN(sigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be positive.");
        long height = images.shape[2], width = images.shape[3];
        // Reflection padding needs the radius to stay inside the image.
        int radius = (int)Math.Min(Math.Max(1, Math.Ceiling(2 * sigma)), Math.Min(height, width) - 1);
        if (radius < 1)
            return images.alias();

        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double total = weights.Sum();
        var kernel = weights.Select(w => (float)(w / total)).ToArray();

        using var scope = NewDisposeScope();
        var horizontal = tensor(kernel, [1, 1, 1, kernel.Length], device: images.device).repeat(3, 1, 1, 1);
        var vertical = tensor(kernel, [1, 1, kernel.Length, 1], device: images.device).repeat(3, 1, 1, 1);
        var x = functional.pad(images, [radius, radius, radius, radius], PaddingModes.Reflect);
        x = functional.conv2d(x, horizontal, groups: 3);
        x = functional.conv2d(x, vertical, groups: 3);
        return x.MoveToOuterDisposeScope();
    }
}
