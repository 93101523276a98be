using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>
/// Replaces the images chosen by a mask with their luma (Rec. 601) in all three channels: grayscale conversion is a cheap
/// countermeasure that removes colour-only perturbations.
/// </summary>
public static class Grayscale
{
    /// <param name="images">[N, 3, H, W].</param>
    /// <param name="mask">[N] booleans: true turns that image gray.</param>
    public static Tensor Apply(Tensor images, Tensor mask)
    {
        TransformChecks.RequireImages(images);
        TransformChecks.RequireMask(images, mask);
        using var scope = NewDisposeScope();
        var luma = (0.299 * images[.., 0..1] + 0.587 * images[.., 1..2] + 0.114 * images[.., 2..3]).expand_as(images);
        return where(mask.to(images.device).view(-1, 1, 1, 1), luma, images).MoveToOuterDisposeScope();
    }
}
