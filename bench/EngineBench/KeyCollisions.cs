using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Bench.Engine;

/// <summary>
/// How often one owner's key takes another owner's texture for its own, with no photo in the way: a flat mid-grey
/// photo at the working size is protected for each of <c>owners</c> owners through the engine (PNG out), and every
/// other owner's key alone is looked for in it with the remover's bars. A wrong key found here is a collision of the
/// two textures themselves, which no photo content can make rarer; with content in the way the correlations only fall.
/// </summary>
internal static class KeyCollisions
{
    public static async Task RunAsync(ProtectionEngineHost engine, OwnerKeyring keyring, int owners, int? epsilon)
    {
        var card = engine.Models.Card;
        int size = card.WorkingSize;
        using var grey = new Image<Rgba32>(size, size, new Rgba32(128, 128, 128));
        using var encoded = new MemoryStream();
        await grey.SaveAsPngAsync(encoded);
        var keys = Enumerable.Range(0, owners).Select(i => keyring.Derive($"owner-{i}")).ToList();
        int pairs = 0, aboveWhole = 0, found = 0, rightFound = 0;
        var wrong = new List<double>();
        foreach (var (key, index) in keys.Select((k, i) => (k, i)))
        {
            var result = await engine.Protector.ProtectAsync(new MemoryStream(encoded.ToArray()),
                new ProtectionOptions { Owner = key, Epsilon = epsilon, Format = OutputFormat.Png });
            using var image = engine.Protector.Codec.DecodeForVerification(result.Data);
            using var lease = engine.Models.Acquire();
            var generator = (OwnerTextureGenerator)lease.Model.Generator;
            rightFound += PerturbationRemover.Detect(image, generator, size, result.Report.Epsilon, [key]).Found ? 1 : 0;
            for (int other = 0; other < keys.Count; other++)
            {
                if (other == index)
                    continue;
                var match = PerturbationRemover.Detect(image, generator, size, result.Report.Epsilon, [keys[other]]);
                pairs++;
                wrong.Add(match.Correlation);
                aboveWhole += match.Correlation >= PerturbationRemover.MinimumCorrelation ? 1 : 0;
                found += match.Found ? 1 : 0;
            }
        }
        wrong.Sort();
        Console.WriteLine($"{owners} owners' keys, each owner's texture on a flat grey {size}-px photo (PNG), every other key alone looked for in it.");
        Console.WriteLine();
        Console.WriteLine($"| model | own key found | ordered pairs | wrong key's correlation: median / 99th percentile / highest | at least {PerturbationRemover.MinimumCorrelation:0.00} | found (both bars): collisions |");
        Console.WriteLine("|---|---:|---:|---|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {card.Version} | {rightFound} of {owners} | {pairs:N0} | {Percentile(wrong, 0.5):0.00} / {Percentile(wrong, 0.99):0.00} / {wrong[^1]:0.00} | {aboveWhole:N0} ({(double)aboveWhole / pairs:P2}) | {found:N0} ({(double)found / pairs:P2}) |"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}
