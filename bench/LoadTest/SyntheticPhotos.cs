using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.Bench.Load;

/// <summary>Photo-like test images made in code (smooth gradients plus noise), the same for the same seed.</summary>
public static class SyntheticPhotos
{
    /// <summary>
    /// A fixed pool that uploads reuse, each with its own id: 36 small photos of 32-512 px (JPEG quality 90, PNG and
    /// lossless WebP in turn), then 4 large JPEGs of 1024-1600 px (<c>Large</c>).
    /// </summary>
    public static List<(byte[] Data, string Type, bool Large)> Pool(int seed)
    {
        var random = new Random(seed);
        var pool = new List<(byte[], string, bool)>();
        for (int i = 0; i < 36; i++)
        {
            int w = random.Next(32, 513), h = random.Next(32, 513);
            var (encoder, type) = (i % 3) switch
            {
                0 => ((IImageEncoder)new JpegEncoder { Quality = 90 }, "image/jpeg"),
                1 => (new PngEncoder(), "image/png"),
                _ => (new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }, "image/webp"),
            };
            pool.Add((Photo(w, h, random.Next(), encoder), type, false));
        }
        for (int i = 0; i < 4; i++)
            pool.Add((Photo(random.Next(1024, 1601), random.Next(768, 1201), random.Next(), new JpegEncoder { Quality = 90 }), "image/jpeg", true));
        return pool;
    }

    public static byte[] Photo(int width, int height, int seed, IImageEncoder encoder)
    {
        var random = new Random(seed);
        double fx = random.NextDouble() * 0.05 + 0.01, fy = random.NextDouble() * 0.05 + 0.01;
        using var image = new Image<Rgba32>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                    row[x] = new Rgba32((byte)(128 + 90 * Math.Sin(x * fx)), (byte)(110 + 70 * Math.Cos(y * fy)), (byte)((x + y + random.Next(24)) & 0xFF));
            }
        });
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }
}
