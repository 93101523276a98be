using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.Tests.Common;

/// <summary>The L-infinity check every test project makes, in one place (linked into each test project).</summary>
public static class PixelDifference
{
    /// <summary>Largest per-channel (RGBA) difference between two images of the same size.</summary>
    public static int MaxAbs(Image<Rgba32> a, Image<Rgba32> b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
            throw new ArgumentException($"Sizes differ: {a.Width}x{a.Height} vs {b.Width}x{b.Height}.");
        int max = 0;
        for (int y = 0; y < a.Height; y++)
        {
            for (int x = 0; x < a.Width; x++)
            {
                Rgba32 p = a[x, y], q = b[x, y];
                max = Math.Max(max, Math.Max(Math.Max(Math.Abs(p.R - q.R), Math.Abs(p.G - q.G)), Math.Max(Math.Abs(p.B - q.B), Math.Abs(p.A - q.A))));
            }
        }
        return max;
    }

    /// <summary>Share of the colour values (R, G, B) of two images of the same size that differ by at most one level.</summary>
    public static double ShareWithinOneLevel(Image<Rgba32> a, Image<Rgba32> b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
            throw new ArgumentException($"Sizes differ: {a.Width}x{a.Height} vs {b.Width}x{b.Height}.");
        long within = 0, values = 0;
        for (int y = 0; y < a.Height; y++)
        {
            for (int x = 0; x < a.Width; x++)
            {
                Rgba32 p = a[x, y], q = b[x, y];
                foreach (int d in new[] { p.R - q.R, p.G - q.G, p.B - q.B })
                {
                    values++;
                    within += Math.Abs(d) <= 1 ? 1 : 0;
                }
            }
        }
        return (double)within / values;
    }

    /// <summary>The same for two encoded images, decoded with ImageSharp's default configuration.</summary>
    public static int MaxAbs(byte[] a, byte[] b)
    {
        using var x = Image.Load<Rgba32>(a);
        using var y = Image.Load<Rgba32>(b);
        return MaxAbs(x, y);
    }
}
