using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// Applies a <see cref="Countermeasure"/> to 8-bit images for real (an ImageSharp JPEG encode and decode, not the
/// differentiable approximation training uses), image by image.
/// </summary>
public static class Countermeasures
{
    public static LabeledImages Apply(LabeledImages images, Countermeasure countermeasure)
    {
        ArgumentNullException.ThrowIfNull(images);
        var output = new byte[images.Count][];
        Parallel.For(0, images.Count, i => output[i] = Apply(images.Pixels(i), images.Size, countermeasure));
        return images.WithPixels(output);
    }

    /// <summary>One image's CHW planes, transformed.</summary>
    public static byte[] Apply(byte[] chw, int size, Countermeasure countermeasure)
    {
        using var image = ChwPixels.ToImage(chw, size);
        switch (countermeasure)
        {
            case Countermeasure.Jpeg75:
                return JpegRoundTrip(image, 75);
            case Countermeasure.Jpeg10:
                return JpegRoundTrip(image, 10);
            case Countermeasure.Grayscale:
                image.Mutate(x => x.Grayscale(GrayscaleMode.Bt601));
                return ChwPixels.FromImage(image);
            case Countermeasure.Downscale:
                int half = Math.Max(1, size / 2);
                image.Mutate(x => x.Resize(half, half, KnownResamplers.Triangle).Resize(size, size, KnownResamplers.Triangle));
                return ChwPixels.FromImage(image);
            default:
                throw new ArgumentOutOfRangeException(nameof(countermeasure), countermeasure, null);
        }
    }

    private static byte[] JpegRoundTrip(Image<Rgb24> image, int quality)
    {
        using var encoded = new MemoryStream();
        image.Save(encoded, new JpegEncoder { Quality = quality, ColorType = JpegColorType.YCbCrRatio420 });
        encoded.Position = 0;
        using var decoded = Image.Load<Rgb24>(encoded);
        return ChwPixels.FromImage(decoded);
    }
}
