using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>
/// Takes an owner-keyed perturbation off a protected photo, for the key holder. The texture does not depend on the
/// photo, only on the key and a per-photo offset, so the offset is found by correlation: the photo's fine detail on the
/// working canvas is folded onto one tile period (the content averages out, the texture adds up) and compared with the
/// key's tile at every offset. A key whose best match is weak is refused, and so is one that lacks any main grating of a
/// few-grating texture: the wrong key removes nothing, unless its texture collides with the right one's. With the
/// right key and offset the engine's projection is inverted value by value (<see cref="PerturbationApplier.Remove"/>),
/// exactly for lossless output.
/// </summary>
public static class PerturbationRemover
{
    /// <summary>
    /// Correlation below which no texture of the key is taken to be present. On Kodak-24 (PNG, 0.5.0-owner-texture) the
    /// right key matched at 0.38-0.77 and the best of five other owners' keys at 0.14-0.38: the two ranges touch, so the
    /// bar sits where no wrong key passed, at the cost of the hardest photo (docs/protection.md).
    /// </summary>
    public const double MinimumCorrelation = 0.4;

    /// <summary>
    /// Amplitude, relative to the whole texture's, that every one of a key's main gratings must reach at the offset,
    /// for textures of a few gratings. Such keys share gratings often (trained 0.9.8-owner-texture-two-coarse-gratings
    /// puts most of most keys' power in one of a handful of coarse gratings), and on 6 of 24 Kodak photos one of five
    /// other owners' keys passed <see cref="MinimumCorrelation"/> (0.41-0.44) through a shared grating; the grating it
    /// does not share read at most 0.47 there, the right keys' weakest main grating at least 0.73 (0.9.5, 0.9.7 and
    /// 0.9.8 at epsilon 10; docs/protection.md).
    /// </summary>
    public const double MinimumGratingShare = 0.5;

    /// <summary>Share of a tile's power from which a grating counts as one of its main ones, checked one by one.</summary>
    public const double MainGratingShare = 0.25;

    /// <summary>Finds which candidate key's texture is in <paramref name="image"/>, and where, without changing it.</summary>
    public static TextureMatch Detect(Image<Rgba32> image, OwnerTextureGenerator generator, int workingSize, int epsilon, IReadOnlyList<OwnerKey> candidates)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Detect(WorkingCanvas.From(image, workingSize), generator, epsilon, candidates);
    }

    private static TextureMatch Detect(WorkingCanvas canvas, OwnerTextureGenerator generator, int epsilon, IReadOnlyList<OwnerKey> candidates)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(candidates);
        var folded = Fold(canvas, epsilon);
        var best = new TextureMatch(null, double.NegativeInfinity, 0, 0);
        foreach (var key in candidates)
        {
            var tile = generator.Tile(key.Bytes);
            var match = BestOffset(folded, tile) with { Key = key };
            if (generator.SparseBinCount is not null && match.Correlation >= MinimumCorrelation)
                match = match with { WeakestGrating = WeakestGrating(folded, tile, match.ShiftY, match.ShiftX) };
            // A key whose texture is there whole beats one that merely shares some of it, however strong.
            if ((match.Found, match.Correlation).CompareTo((best.Found, best.Correlation)) > 0)
                best = match;
        }
        return best;
    }

    /// <summary>
    /// Removes the texture of whichever candidate key is found in <paramref name="image"/> (in place), or leaves the image
    /// untouched and returns a match whose <see cref="TextureMatch.Found"/> is false.
    /// </summary>
    public static TextureMatch Remove(Image<Rgba32> image, OwnerTextureGenerator generator, int workingSize, int epsilon, bool grayscale,
        IReadOnlyList<OwnerKey> candidates)
    {
        ArgumentNullException.ThrowIfNull(image);
        var canvas = WorkingCanvas.From(image, workingSize);
        var match = Detect(canvas, generator, epsilon, candidates);
        if (!match.Found)
            return match;
        var perturbation = generator.Perturbation(match.Key!.Bytes, workingSize, match.ShiftY, match.ShiftX);
        PerturbationApplier.Remove(image, canvas, perturbation, epsilon, grayscale);
        return match;
    }

    /// <summary>
    /// The canvas's content minus its local mean over one period (which a whole period of the texture does not have),
    /// clipped to twice epsilon, summed onto one period: [3, Period, Period].
    /// </summary>
    private static double[] Fold(WorkingCanvas canvas, int epsilon)
    {
        double clip = 2.0 * epsilon / 255;
        const int period = OwnerTextureGenerator.Period, half = period / 2;
        int size = canvas.Size, width = canvas.ContentWidth, height = canvas.ContentHeight;
        var folded = new double[3 * period * period];
        var integral = new double[(height + 1) * (width + 1)];
        for (int c = 0; c < 3; c++)
        {
            var pixels = canvas.Pixels.AsSpan(c * size * size, size * size);
            for (int y = 0; y < height; y++)
            {
                double rowSum = 0;
                for (int x = 0; x < width; x++)
                {
                    rowSum += pixels[y * size + x];
                    integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + rowSum;
                }
            }
            for (int y = 0; y < height; y++)
            {
                int top = Math.Max(0, y - half), bottom = Math.Min(height, y + half);
                for (int x = 0; x < width; x++)
                {
                    int left = Math.Max(0, x - half), right = Math.Min(width, x + half);
                    double sum = integral[bottom * (width + 1) + right] - integral[top * (width + 1) + right]
                        - integral[bottom * (width + 1) + left] + integral[top * (width + 1) + left];
                    double mean = sum / ((bottom - top) * (right - left));
                    // Clipped: edges and fine texture of the photo are far louder than the perturbation and would drown it.
                    double detail = Math.Clamp(pixels[y * size + x] - mean, -clip, clip);
                    folded[(c * period + y % period) * period + x % period] += detail;
                }
            }
        }
        return folded;
    }

    /// <summary>
    /// The lowest, over the tile's main gratings (conjugate pairs of DFT bins, a real grating each, that hold at least
    /// <see cref="MainGratingShare"/> of its power), of that grating's amplitude in the folded detail at the offset
    /// relative to the whole tile's: about 1 for each when the texture is there whole, about 0 for a grating the photo
    /// does not carry. An amplitude, not a correlation: a bin the texture does not reach still holds some of the photo,
    /// at any phase. Weaker gratings are left out because the photo's own content there outweighs them (the tanh's
    /// third harmonic of a one-grating key, a tenth of its power, read 0.12 on a Kodak photo carrying it whole).
    /// </summary>
    private static double WeakestGrating(double[] folded, float[] tile, int shiftY, int shiftX)
    {
        const int period = OwnerTextureGenerator.Period;
        var tileValues = Array.ConvertAll(tile, v => (double)v);
        double wholeDot = 0, wholePower = 0;
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < period; y++)
            {
                for (int x = 0; x < period; x++)
                {
                    double t = tileValues[(c * period + (y + shiftY) % period) * period + (x + shiftX) % period];
                    wholeDot += folded[(c * period + y) * period + x] * t;
                    wholePower += t * t;
                }
            }
        }
        double wholeAmplitude = wholeDot / wholePower;
        if (!(wholeAmplitude > 0))
            return 0;
        double weakest = double.PositiveInfinity;
        // One bin of each conjugate pair: the half-plane ky > 0, or ky = 0 and kx > 0. Nyquist rows and columns are left
        // out: only the sparse family without a low-pass can put a grating there, and such a grating goes unchecked.
        for (int ky = 0; ky < period / 2; ky++)
        {
            for (int kx = -period / 2 + 1; kx < period / 2; kx++)
            {
                if (ky == 0 && kx <= 0)
                    continue;
                var bins = new[] { Bin(tileValues, 0, ky, kx), Bin(tileValues, 1, ky, kx), Bin(tileValues, 2, ky, kx) };
                double tilePower = bins.Sum(b => b.Re * b.Re + b.Im * b.Im);
                // Parseval: the pair's share of the tile's power is 2 |T(k)|^2 / (period^2 * sum t^2).
                if (2 * tilePower / (period * period * wholePower) < MainGratingShare)
                    continue;
                // Shifting the tile by (shiftY, shiftX) turns this bin's phase by +2 pi k.shift / period.
                double angle = 2 * Math.PI * (ky * shiftY + kx * shiftX) / period, turnRe = Math.Cos(angle), turnIm = Math.Sin(angle);
                double dot = 0;
                for (int c = 0; c < 3; c++)
                {
                    var (tRe, tIm) = bins[c];
                    var (fRe, fIm) = Bin(folded, c, ky, kx);
                    dot += fRe * (tRe * turnRe - tIm * turnIm) + fIm * (tRe * turnIm + tIm * turnRe);
                }
                weakest = Math.Min(weakest, dot / tilePower / wholeAmplitude);
            }
        }
        return double.IsPositiveInfinity(weakest) ? 1 : weakest;
    }

    /// <summary>Channel <paramref name="c"/>'s DFT at bin (ky, kx) of a [3, Period, Period] array.</summary>
    private static (double Re, double Im) Bin(double[] values, int c, int ky, int kx)
    {
        const int period = OwnerTextureGenerator.Period;
        double re = 0, im = 0;
        for (int y = 0; y < period; y++)
        {
            for (int x = 0; x < period; x++)
            {
                double angle = -2 * Math.PI * (ky * y + kx * x) / period, v = values[(c * period + y) * period + x];
                re += v * Math.Cos(angle);
                im += v * Math.Sin(angle);
            }
        }
        return (re, im);
    }

    /// <summary>The offset at which the tile correlates best with the folded detail.</summary>
    private static TextureMatch BestOffset(double[] folded, float[] tile)
    {
        const int period = OwnerTextureGenerator.Period;
        double foldedNorm = Math.Sqrt(folded.Sum(v => v * v)), tileNorm = Math.Sqrt(tile.Sum(v => (double)v * v));
        var best = new TextureMatch(null, double.NegativeInfinity, 0, 0);
        if (foldedNorm == 0 || tileNorm == 0)
            return best with { Correlation = 0 };
        for (int shiftY = 0; shiftY < period; shiftY++)
        {
            for (int shiftX = 0; shiftX < period; shiftX++)
            {
                double dot = 0;
                for (int c = 0; c < 3; c++)
                {
                    for (int y = 0; y < period; y++)
                    {
                        int foldedRow = (c * period + y) * period, tileRow = (c * period + (y + shiftY) % period) * period;
                        for (int x = 0; x < period; x++)
                            dot += folded[foldedRow + x] * tile[tileRow + (x + shiftX) % period];
                    }
                }
                double correlation = dot / (foldedNorm * tileNorm);
                if (correlation > best.Correlation)
                    best = new TextureMatch(null, correlation, shiftY, shiftX);
            }
        }
        return best;
    }
}
