using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Bench.Engine;

/// <summary>
/// How much of each owner's texture the engine puts on a photo and how much of it is left at an attacker's scale:
/// a flat mid-grey photo (nothing clips) protected through the engine, the change's RMS in levels at full size, and
/// again after the photo and its protected copy are both resized to half (bicubic, as the identity benchmark's face
/// crops are), the scale at which one canvas pixel is about one pixel of the attacker's 64-px face crop; and how many
/// spatial frequencies the key's tile spreads its power over (the participation number of its DFT power, summed over
/// the channels: about 6 for a few gratings, near 200 for broadband noise), with its two strongest gratings (cycles per
/// period down and across, one of each conjugate pair, and their share of the power): owners whose keys share a
/// grating share part of their texture.
/// </summary>
internal static class TextureReach
{
    public static async Task RunAsync(ProtectionEngineHost engine, OwnerKeyring keyring, IReadOnlyList<string> owners, int size, int? epsilon)
    {
        using var grey = new Image<Rgba32>(size, size, new Rgba32(128, 128, 128));
        using var encoded = new MemoryStream();
        await grey.SaveAsPngAsync(encoded);
        using var greyHalf = grey.Clone(c => c.Resize(size / 2, size / 2, KnownResamplers.Bicubic));
        Console.WriteLine($"| owner | atoms | RMS on the photo (levels) | PSNR (dB) | RMS after halving (levels) | kept by halving | effective frequencies | strongest gratings |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var owner in owners)
        {
            var key = keyring.Derive(owner);
            var result = await engine.Protector.ProtectAsync(new MemoryStream(encoded.ToArray()),
                new ProtectionOptions { Owner = key, Epsilon = epsilon, Format = OutputFormat.Png });
            using var protectedImage = engine.Protector.Codec.DecodeForVerification(result.Data);
            using var protectedHalf = protectedImage.Clone(c => c.Resize(size / 2, size / 2, KnownResamplers.Bicubic));
            double full = Rms(grey, protectedImage), half = Rms(greyHalf, protectedHalf);
            string atoms;
            float[] tile;
            using (var lease = engine.Models.Acquire())
            {
                var generator = (OwnerTextureGenerator)lease.Model.Generator;
                atoms = string.Join(", ", OwnerTextureGenerator.AtomsOf(key.Bytes, generator.AtomCount));
                tile = generator.Tile(key.Bytes);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {owner} | {atoms} | {full:0.00} | {20 * Math.Log10(255 / full):0.00} | {half:0.00} | {half / full:P0} | {EffectiveFrequencies(tile):0.0} | {StrongestGratings(tile)} |"));
        }
    }

    /// <summary>The tile's two strongest conjugate pairs of DFT bins, as "(ky,kx) share" with ky > 0 or ky = 0 and kx > 0.</summary>
    internal static string StrongestGratings(float[] tile)
    {
        const int period = OwnerTextureGenerator.Period;
        var power = ChannelPower(tile);
        double total = power.Sum();
        var pairs = Enumerable.Range(0, power.Length)
            .Select(k => (Ky: Signed(k / period), Kx: Signed(k % period), Share: 2 * power[k] / total))
            .Where(b => b.Ky > 0 || (b.Ky == 0 && b.Kx > 0))
            .OrderByDescending(b => b.Share).Take(2);
        return string.Join(" ", pairs.Select(b => string.Create(CultureInfo.InvariantCulture, $"({b.Ky},{b.Kx}) {b.Share:P0}")));

        static int Signed(int k) => k > period / 2 ? k - period : k;
    }

    /// <summary>1 / sum(p^2) of the tile's DFT power p, summed over its channels and normalised to sum 1.</summary>
    internal static double EffectiveFrequencies(float[] tile)
    {
        var power = ChannelPower(tile);
        double total = power.Sum();
        return total > 0 ? total * total / power.Sum(p => p * p) : 0;
    }

    /// <summary>The DFT power of each bin of the tile, summed over its channels.</summary>
    private static double[] ChannelPower(float[] tile)
    {
        const int plane = OwnerTextureGenerator.Period * OwnerTextureGenerator.Period;
        var power = new double[plane];
        for (int c = 0; c < tile.Length / plane; c++)
        {
            var channel = AtomSpectrum.PlanePower(tile.AsSpan(c * plane, plane), OwnerTextureGenerator.Period);
            for (int k = 0; k < plane; k++)
                power[k] += channel[k];
        }
        return power;
    }

    private static double Rms(Image<Rgba32> a, Image<Rgba32> b)
    {
        double sum = 0;
        for (int y = 0; y < a.Height; y++)
        {
            for (int x = 0; x < a.Width; x++)
            {
                var (p, q) = (a[x, y], b[x, y]);
                sum += Square(p.R - q.R) + Square(p.G - q.G) + Square(p.B - q.B);
            }
        }
        return Math.Sqrt(sum / (3.0 * a.Width * a.Height));
    }

    private static double Square(int d) => (double)d * d;
}
