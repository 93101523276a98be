using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>Conversions between the benchmark's CHW byte planes and ImageSharp images.</summary>
internal static class ChwPixels
{
    public static Image<Rgb24> ToImage(byte[] chw, int size)
    {
        ArgumentNullException.ThrowIfNull(chw);
        int plane = size * size;
        var image = new Image<Rgb24>(size, size);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < size; x++)
                {
                    int i = y * size + x;
                    row[x] = new Rgb24(chw[i], chw[plane + i], chw[2 * plane + i]);
                }
            }
        });
        return image;
    }

    /// <summary>CHW planes of a square image of any pixel type (alpha dropped).</summary>
    public static byte[] FromImage<TPixel>(Image<TPixel> image)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width != image.Height)
            throw new ArgumentException($"Expected a square image, got {image.Width}x{image.Height}.", nameof(image));
        int size = image.Width, plane = size * size;
        var chw = new byte[3 * plane];
        using var rgb = image.CloneAs<Rgb24>();
        rgb.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < size; x++)
                {
                    int i = y * size + x;
                    chw[i] = row[x].R;
                    chw[plane + i] = row[x].G;
                    chw[2 * plane + i] = row[x].B;
                }
            }
        });
        return chw;
    }

    /// <summary>
    /// Resizes the way a scraper shrinks photos for training: bicubic, antialiased when shrinking (ImageSharp scales
    /// the kernel with the ratio), as the dataset loader does.
    /// </summary>
    public static byte[] Resize(byte[] chw, int size, int targetSize)
    {
        if (size == targetSize)
            return chw;
        using var image = ToImage(chw, size);
        image.Mutate(x => x.Resize(targetSize, targetSize, KnownResamplers.Bicubic));
        return FromImage(image);
    }
}
