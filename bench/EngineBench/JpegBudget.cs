using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.Tests.Common;

namespace UploadGuard.Bench.Engine;

/// <summary>
/// The <c>jpeg</c> mode: what epsilon means for JPEG output, measured. Every photo of each folder is first made a JPEG
/// source at each quality and chroma subsampling, then protected (JPEG out, 4:4:4 at the engine's quality) twice: with
/// the engine's re-projection rounds and with one plain encode. The decoded L-infinity against the same decoder's
/// decoding of the source is measured with the engine's decoder (ImageSharp) and with libjpeg's (djpeg).
/// </summary>
internal static class JpegBudget
{
    private static readonly int[] Qualities = [75, 90, 95];

    private static readonly (string Name, JpegColorType Type)[] Subsamplings = [("4:2:0", JpegColorType.YCbCrRatio420), ("4:4:4", JpegColorType.YCbCrRatio444)];

    private sealed record Row(int Engine, int Libjpeg, int SingleEngine, int SingleLibjpeg, int Rounds, double SizeRatio);

    public static async Task RunAsync(IReadOnlyList<string> folders, ProtectionEngineHost reprojecting, ProtectionEngineHost single, ProtectionOptions options)
    {
        if (LibjpegDecoder.Find() is null)
            throw new InvalidOperationException(LibjpegDecoder.MissingMessage);
        int epsilon = options.EpsilonFor(reprojecting.Models.Card);
        Console.WriteLine($"Epsilon {epsilon}; output JPEG 4:4:4 quality {reprojecting.Protector.Codec.Options.JpegQuality}, " +
            $"up to {reprojecting.Protector.Codec.Options.JpegReprojectionRounds} re-projection rounds (target epsilon + 1 = {JpegReprojection.Target(epsilon)} by the engine's decoder).");
        Console.WriteLine("L-inf: the largest change of any channel value after decoding, in 8-bit levels, each decoder against its own decoding of the source.");
        Console.WriteLine();
        Console.WriteLine($"| photos | source JPEG | n | engine decoder max / mean | within {epsilon + 1} | libjpeg max / mean | within {epsilon + 2} | one encode, no rounds: engine / libjpeg max | mean rounds | size out / in |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var folder in folders)
        {
            var files = Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)).Order().ToList();
            foreach (var quality in Qualities)
            {
                foreach (var (name, type) in Subsamplings)
                {
                    var rows = new List<Row>();
                    foreach (var file in files)
                    {
                        var source = Source(file, quality, type);
                        var sourceLibjpeg = await LibjpegDecoder.DecodeAsync(source);
                        var best = await reprojecting.Protector.ProtectAsync(new MemoryStream(source), options);
                        var plain = await single.Protector.ProtectAsync(new MemoryStream(source), options);
                        rows.Add(new Row(
                            best.Report.LinfDecoded,
                            LibjpegDecoder.MaxAbs(sourceLibjpeg, await LibjpegDecoder.DecodeAsync(best.Data)),
                            plain.Report.LinfDecoded,
                            LibjpegDecoder.MaxAbs(sourceLibjpeg, await LibjpegDecoder.DecodeAsync(plain.Data)),
                            best.Report.JpegReprojectionRounds,
                            best.Report.SizeRatio));
                    }
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))} | q{quality} {name} | {rows.Count} | " +
                        $"{rows.Max(r => r.Engine)} / {rows.Average(r => r.Engine):0.0} | {Share(rows, r => r.Engine <= epsilon + 1)} | " +
                        $"{rows.Max(r => r.Libjpeg)} / {rows.Average(r => r.Libjpeg):0.0} | {Share(rows, r => r.Libjpeg <= epsilon + 2)} | " +
                        $"{rows.Max(r => r.SingleEngine)} / {rows.Max(r => r.SingleLibjpeg)} | {rows.Average(r => r.Rounds):0.0} | {rows.Average(r => r.SizeRatio):0.00} |"));
                }
            }
        }
    }

    private static string Share(List<Row> rows, Func<Row, bool> holds) =>
        string.Create(CultureInfo.InvariantCulture, $"{100.0 * rows.Count(holds) / rows.Count:0} %");

    /// <summary>The photo as a JPEG of this quality and subsampling, as a camera or an earlier upload would have made it.</summary>
    private static byte[] Source(string file, int quality, JpegColorType type)
    {
        using var image = Image.Load<Rgb24>(file);
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = quality, ColorType = type });
        return stream.ToArray();
    }
}
