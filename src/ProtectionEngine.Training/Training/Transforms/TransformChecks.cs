using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>Argument checks shared by the transforms.</summary>
internal static class TransformChecks
{
    public static void RequireImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"Expected RGB images [N, 3, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
    }

    /// <summary>A per-image choice must be a boolean vector with one entry per image.</summary>
    public static void RequireMask(Tensor images, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.dtype != ScalarType.Bool || mask.dim() != 1 || mask.shape[0] != images.shape[0])
            throw new ArgumentException($"Expected a boolean mask of {images.shape[0]} entries.", nameof(mask));
    }
}
