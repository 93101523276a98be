using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>
/// A copy of the photo scaled so its long side is the model's working size, placed top-left on a square canvas whose
/// rest repeats the edge pixels. The generator sees every photo at the scale it was trained on, whatever its size.
/// </summary>
internal sealed record WorkingCanvas(int Size, int ContentWidth, int ContentHeight, float[] Pixels)
{
    /// <summary>Builds the canvas as CHW floats in [0, 1] (alpha ignored).</summary>
    public static WorkingCanvas From(Image<Rgba32> image, int size)
    {
        double scale = (double)size / Math.Max(image.Width, image.Height);
        int width = Math.Clamp((int)Math.Round(image.Width * scale), 1, size);
        int height = Math.Clamp((int)Math.Round(image.Height * scale), 1, size);

        using var scaled = image.Clone(x => x.Resize(width, height, KnownResamplers.Triangle));
        var pixels = new float[3 * size * size];
        int plane = size * size;
        scaled.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(Math.Min(y, height - 1));
                int offset = y * size;
                for (int x = 0; x < size; x++)
                {
                    var p = row[Math.Min(x, width - 1)];
                    pixels[offset + x] = p.R / 255f;
                    pixels[plane + offset + x] = p.G / 255f;
                    pixels[2 * plane + offset + x] = p.B / 255f;
                }
            }
        });
        return new WorkingCanvas(size, width, height, pixels);
    }
}
