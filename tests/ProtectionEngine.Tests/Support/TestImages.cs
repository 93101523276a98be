using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.ProtectionEngine.Tests.Support;

/// <summary>Photo-like synthetic images (smooth gradients plus texture and noise), encoded in memory.</summary>
public static class TestImages
{
    public static Image<Rgba32> Photo(int width, int height, int seed = 1, bool alpha = false, bool gray = false)
    {
        var random = new Random(seed);
        var image = new Image<Rgba32>(width, height);
        double fx = random.NextDouble() * 0.1 + 0.01, fy = random.NextDouble() * 0.1 + 0.01;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    double wave = Math.Sin(x * fx) * Math.Cos(y * fy);
                    byte r = Clamp(128 + 90 * wave + random.Next(-12, 13));
                    byte g = gray ? r : Clamp(100 + 60 * Math.Sin((x + y) * fx) + random.Next(-12, 13));
                    byte b = gray ? r : Clamp(90 + 80 * Math.Cos(x * fy) + random.Next(-12, 13));
                    byte a = alpha ? (byte)((x * 255 / Math.Max(1, row.Length - 1) + y) % 256) : (byte)255;
                    row[x] = new Rgba32(r, g, b, a);
                }
            }
        });
        return image;
    }

    public static byte[] Encode(Image image, ImageFormatKind format, bool gray = false, bool alpha = false)
    {
        IImageEncoder encoder = format switch
        {
            ImageFormatKind.Jpeg => new JpegEncoder { Quality = 92, ColorType = gray ? JpegColorType.Luminance : JpegColorType.YCbCrRatio420 },
            ImageFormatKind.Png => new PngEncoder
            {
                ColorType = (gray, alpha) switch
                {
                    (true, true) => PngColorType.GrayscaleWithAlpha,
                    (true, false) => PngColorType.Grayscale,
                    (false, true) => PngColorType.RgbWithAlpha,
                    _ => PngColorType.Rgb,
                },
            },
            _ => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        };
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>A JPEG of the image with the chroma layout and quality named (the sources of the JPEG budget tests).</summary>
    public static byte[] Jpeg(Image image, JpegColorType colour, int quality)
    {
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { ColorType = colour, Quality = quality });
        return stream.ToArray();
    }

    public static byte[] EncodedPhoto(int width, int height, ImageFormatKind format, int seed = 1, bool alpha = false, bool gray = false)
    {
        using var image = Photo(width, height, seed, alpha, gray);
        return Encode(image, format, gray, alpha);
    }

    /// <summary>Decodes with ImageSharp's default configuration, independent of the engine's restricted one.</summary>
    public static Image<Rgba32> Decode(byte[] data) => Image.Load<Rgba32>(data);

    private static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);
}
