using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

/// <summary>A JPEG encode at <paramref name="Quality"/> with 4:2:0 chroma, as sites and scrapers re-encode, then a decode.</summary>
internal sealed record JpegRecompression(int Quality) : Countermeasure($"jpeg{Quality}", $"JPEG q{Quality}")
{
    public override byte[] Apply(byte[] chw, int size)
    {
        using var image = ChwPixels.ToImage(chw, size);
        using var encoded = new MemoryStream();
        image.Save(encoded, new JpegEncoder { Quality = Quality, ColorType = JpegColorType.YCbCrRatio420 });
        encoded.Position = 0;
        using var decoded = Image.Load<Rgb24>(encoded);
        return ChwPixels.FromImage(decoded);
    }
}
