using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>L-infinity, PSNR and changed fraction between two same-sized 8-bit images.</summary>
internal readonly record struct PixelComparison(int MaxAbsDifference, double? PsnrDb, double ChangedFraction)
{
    /// <summary>Compares RGB and alpha for the L-infinity figure, RGB for PSNR and the changed fraction.</summary>
    public static PixelComparison Measure(Image<Rgba32> original, Image<Rgba32> candidate)
    {
        if (original.Width != candidate.Width || original.Height != candidate.Height)
            throw new ArgumentException($"Sizes differ: {original.Width}x{original.Height} vs {candidate.Width}x{candidate.Height}.");

        int maxAbs = 0;
        double squared = 0;
        long changed = 0;
        original.ProcessPixelRows(candidate, (a, b) =>
        {
            for (int y = 0; y < a.Height; y++)
            {
                var ra = a.GetRowSpan(y);
                var rb = b.GetRowSpan(y);
                for (int x = 0; x < ra.Length; x++)
                {
                    int dr = ra[x].R - rb[x].R, dg = ra[x].G - rb[x].G, db = ra[x].B - rb[x].B, da = ra[x].A - rb[x].A;
                    maxAbs = Math.Max(maxAbs, Math.Max(Math.Max(Math.Abs(dr), Math.Abs(dg)), Math.Max(Math.Abs(db), Math.Abs(da))));
                    squared += dr * dr + dg * dg + db * db;
                    changed += (dr != 0 ? 1 : 0) + (dg != 0 ? 1 : 0) + (db != 0 ? 1 : 0);
                }
            }
        });

        double values = 3.0 * original.Width * original.Height;
        double mse = squared / values;
        double? psnr = mse == 0 ? null : 10 * Math.Log10(255.0 * 255.0 / mse);
        return new PixelComparison(maxAbs, psnr, changed / values);
    }
}
