using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

/// <summary>Rec. 601 luma in all three channels.</summary>
internal sealed record GreyConversion() : Countermeasure("gray", "grayscale")
{
    public override byte[] Apply(byte[] chw, int size)
    {
        using var image = ChwPixels.ToImage(chw, size);
        image.Mutate(x => x.Grayscale(GrayscaleMode.Bt601));
        return ChwPixels.FromImage(image);
    }
}
