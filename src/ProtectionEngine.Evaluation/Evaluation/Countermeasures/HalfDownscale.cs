using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

/// <summary>Half the side and back up, bilinear both ways: the detail a thumbnail loses.</summary>
internal sealed record HalfDownscale() : Countermeasure("downscale", "0.5x and back")
{
    public override byte[] Apply(byte[] chw, int size)
    {
        using var image = ChwPixels.ToImage(chw, size);
        int half = Math.Max(1, size / 2);
        image.Mutate(x => x.Resize(half, half, KnownResamplers.Triangle).Resize(size, size, KnownResamplers.Triangle));
        return ChwPixels.FromImage(image);
    }
}
