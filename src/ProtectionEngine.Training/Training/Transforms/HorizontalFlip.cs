using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>Mirrors the images chosen by a mask left to right; victims train with random flips.</summary>
internal static class HorizontalFlip
{
    /// <param name="images">[N, 3, H, W].</param>
    /// <param name="mask">[N] booleans: true flips that image.</param>
    public static Tensor Apply(Tensor images, Tensor mask)
    {
        TransformChecks.RequireImages(images);
        TransformChecks.RequireMask(images, mask);
        using var scope = NewDisposeScope();
        return where(mask.to(images.device).view(-1, 1, 1, 1), images.flip(3), images).MoveToOuterDisposeScope();
    }
}
