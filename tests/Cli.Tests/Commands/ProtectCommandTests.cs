using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.Cli.Tests.Support;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.Tests.Common;

namespace UploadGuard.Cli.Tests.Commands;

public sealed class ProtectCommandTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "uploadguard-cli-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The shipped active model is owner-keyed: these runs name an owner and bring a secret, as a user does.</summary>
    private static readonly Dictionary<string, string?> WithSecret = new() { ["UPLOADGUARD_OWNER_SECRET"] = "owner secret for the protect command tests, long enough to pass" };

    public ProtectCommandTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_shipped_default_protects_with_the_owners_key_at_the_epsilon_its_card_claims()
    {
        var photo = Path.Combine(_work, "photo.png");
        WritePhoto(photo, 96, 80);
        var output = Path.Combine(_work, "out.png");

        var result = await ProtectAsync(photo, "-o", output, "--report", Path.Combine(_work, "report.json"));

        Assert.True(result.ExitCode == 0, result.Output);
        var flat = string.Join(" ", result.Output.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        var registry = new ModelRegistry(Path.Combine(AppContext.BaseDirectory, "models"));
        Assert.Contains($"Model {registry.ActiveVersion}", flat);
        Assert.Contains("Owner key k-", flat);
        // No --epsilon: the budget the card's claim was measured at, and the claim is stated with its scope.
        int claimed = registry.ReadCard(registry.ActiveVersion).Claim!.Epsilon;
        Assert.Contains($"(bound: epsilon {claimed})", flat);
        Assert.DoesNotContain("untrained", flat);
        using var original = Image.Load<Rgba32>(photo);
        using var protectedImage = Image.Load<Rgba32>(output);
        Assert.InRange(PixelDifference.MaxAbs(original, protectedImage), 1, claimed);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_work, "report.json"))).RootElement[0].GetProperty("report");
        Assert.Equal(claimed, report.GetProperty("epsilon").GetInt32());
        Assert.Equal("measured", report.GetProperty("claim").GetString());
        // The console's table wraps long cells, so the claim's wording is checked in the report.
        Assert.StartsWith($"measured at epsilon {claimed} or more", report.GetProperty("claimedProtection").GetString());
        Assert.Contains("measured", flat);
    }

    [Fact]
    public async Task Without_an_owner_the_owner_keyed_default_is_a_usage_error()
    {
        var photo = Path.Combine(_work, "photo.png");
        WritePhoto(photo, 16, 16);
        var result = await CliProcess.RunAsync(WithSecret, "protect", photo, "-o", Path.Combine(_work, "out.png"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--owner", result.Output);
        Assert.False(File.Exists(Path.Combine(_work, "out.png")));
    }

    [Fact]
    public async Task Protects_a_folder_reports_a_summary_and_warns_the_model_is_untrained()
    {
        var input = Directory.CreateDirectory(Path.Combine(_work, "in")).FullName;
        WritePhoto(Path.Combine(input, "a.png"), 64, 48);
        WritePhoto(Path.Combine(input, "b.jpg"), 50, 70);
        WritePhoto(Path.Combine(input, "c.webp"), 33, 33);
        await File.WriteAllTextAsync(Path.Combine(input, "notes.txt"), "not an image, not picked up");
        var output = Path.Combine(_work, "out");

        var result = await CliProcess.RunAsync("protect", input, "-o", output, "--epsilon", "6", "--model", "0.1.0-untrained", "--report", Path.Combine(_work, "report.json"));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("untrained model: no protection claimed", result.Output);
        Assert.Contains("Images perturbed", result.Output);
        // Each L-infinity figure says what it is, and the claim is told apart from the perturbation.
        Assert.Contains("Max L-inf before encoding", result.Output);
        Assert.Contains("(bound: epsilon 6)", result.Output);
        Assert.Contains("Max L-inf after decoding (imagesharp)", result.Output);
        Assert.Contains("none-claimed: untrained model", result.Output);
        // Not a terminal: plain progress lines, the last at 100 %.
        var progress = result.Output.Split('\n').Where(l => l.StartsWith("Perturbing 3 image(s): ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        Assert.EndsWith("3/3 (100 %)", progress[^1].TrimEnd());
        Assert.Equal(["a.png", "b.jpg", "c.webp"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
        using var original = Image.Load<Rgba32>(Path.Combine(input, "a.png"));
        using var protectedImage = Image.Load<Rgba32>(Path.Combine(output, "a.png"));
        Assert.InRange(PixelDifference.MaxAbs(original, protectedImage), 1, 6);
        var report = await File.ReadAllTextAsync(Path.Combine(_work, "report.json"));
        Assert.Contains("\"linfDecoded\"", report);
        Assert.Contains("\"linfBeforeEncoding\"", report);
        Assert.Contains("\"linfDecoder\": \"imagesharp\"", report);
        Assert.Contains("\"claim\": \"noneClaimed\"", report);
    }

    [Fact]
    public async Task A_bad_file_is_reported_and_skipped_with_a_non_zero_exit()
    {
        var input = Directory.CreateDirectory(Path.Combine(_work, "in")).FullName;
        WritePhoto(Path.Combine(input, "good.png"), 40, 30);
        await File.WriteAllBytesAsync(Path.Combine(input, "broken.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        var output = Path.Combine(_work, "out");

        var result = await ProtectAsync(input, "-o", output);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken.jpg", result.Output);
        Assert.Contains("truncated", result.Output);
        Assert.True(File.Exists(Path.Combine(output, "good.png")));
        Assert.False(File.Exists(Path.Combine(output, "broken.jpg")));
    }

    [Fact]
    public async Task Refuses_to_overwrite_the_original_unless_asked()
    {
        var photo = Path.Combine(_work, "photo.png");
        WritePhoto(photo, 30, 20);
        var before = await File.ReadAllBytesAsync(photo);

        var refused = await ProtectAsync(photo, "-o", photo);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("Refusing to overwrite", refused.Output);
        Assert.Equal(before, await File.ReadAllBytesAsync(photo));

        var allowed = await ProtectAsync(photo, "-o", photo, "--overwrite");
        Assert.True(allowed.ExitCode == 0, allowed.Output);
        Assert.NotEqual(before, await File.ReadAllBytesAsync(photo));
    }

    [Fact]
    public async Task Format_option_changes_the_output_format_and_extension()
    {
        var photo = Path.Combine(_work, "photo.jpg");
        WritePhoto(photo, 30, 20);
        var result = await ProtectAsync(photo, "-o", _work + Path.DirectorySeparatorChar + "out" + Path.DirectorySeparatorChar, "--format", "png");
        Assert.True(result.ExitCode == 0, result.Output);
        var written = await File.ReadAllBytesAsync(Path.Combine(_work, "out", "photo.png"));
        Assert.Equal(0x89, written[0]);
    }

    [Theory]
    [InlineData("--epsilon", "0")]
    [InlineData("--epsilon", "40")]
    [InlineData("--epsilon", "99")]
    [InlineData("--format", "gif")]
    public async Task Invalid_options_are_usage_errors_that_exit_2_with_a_message(string option, string value)
    {
        var photo = Path.Combine(_work, "photo.png");
        WritePhoto(photo, 8, 8);
        var result = await CliProcess.RunAsync("protect", photo, "-o", Path.Combine(_work, "out.png"), option, value);
        Assert.True(result.ExitCode == 2, result.Output);
        Assert.Contains(option, result.Output);
    }

    [Fact]
    public async Task A_missing_output_option_is_a_usage_error_that_exits_2()
    {
        var photo = Path.Combine(_work, "photo.png");
        WritePhoto(photo, 8, 8);
        var result = await CliProcess.RunAsync("protect", photo);
        Assert.True(result.ExitCode == 2, result.Output);
        Assert.Contains("'--output' is required", result.Output);
    }

    [SkippableTheory]
    [InlineData(90)]
    [InlineData(95)]
    public async Task A_jpeg_is_written_4_4_4_and_measured_by_both_decoders_within_the_budget(int sourceQuality)
    {
        Skip.If(LibjpegDecoder.Find() is null, LibjpegDecoder.MissingMessage);
        var photo = Path.Combine(_work, "photo.jpg");
        using (var image = SmoothPhoto(320, 240))
            image.SaveAsJpeg(photo, new JpegEncoder { Quality = sourceQuality, ColorType = JpegColorType.YCbCrRatio444 });
        var output = Path.Combine(_work, "out.jpg");

        var result = await ProtectAsync(photo, "-o", output, "--epsilon", "8", "--report", Path.Combine(_work, "r.json"));

        Assert.True(result.ExitCode == 0, result.Output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_work, "r.json"))).RootElement[0].GetProperty("report");
        Assert.InRange(report.GetProperty("linfBeforeEncoding").GetInt32(), 1, 8);
        Assert.InRange(report.GetProperty("linfDecoded").GetInt32(), 1, 9);   // epsilon + 1 by the engine's decoder
        // The same pair decoded by libjpeg, each file by the same decoder: the engine holds libjpeg's view to the budget
        // as well, so from a 4:4:4 source of quality 90 or more at most epsilon + 2, and the report says what djpeg says.
        var libjpeg = LibjpegDecoder.MaxAbs(
            await LibjpegDecoder.DecodeAsync(await File.ReadAllBytesAsync(photo)), await LibjpegDecoder.DecodeAsync(await File.ReadAllBytesAsync(output)));
        Assert.InRange(libjpeg, 1, 8 + 2);
        Assert.Equal(libjpeg, report.GetProperty("linfDecodedLibjpeg").GetInt32());
        Assert.Contains("Max L-inf after decoding (libjpeg)", result.Output);
        Assert.Equal(JpegColorType.YCbCrRatio444, Image.Identify(output).Metadata.GetJpegMetadata().ColorType);
    }

    [Fact]
    public async Task Models_list_fits_80_columns_with_every_version_on_one_line()
    {
        var result = await CliProcess.RunAsync(new Dictionary<string, string?> { ["COLUMNS"] = "80" }, "models", "list");

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = result.Output.Split('\n');
        Assert.All(lines, l => Assert.True(l.TrimEnd('\r').Length <= 80, $"{l.Length} columns: {l}"));
        foreach (var version in Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "models")).Select(Path.GetFileName))
            Assert.Contains(lines, l => l.Contains($" {version} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("0.5.0-owner-texture", StringComparison.Ordinal) && l.Contains("measured at 16+", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("0.1.0-untrained", StringComparison.Ordinal) && l.Contains(" untrained ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("0.7.0-owner-texture-luma", StringComparison.Ordinal) && l.Contains("none claimed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_input_fails_clearly()
    {
        var result = await CliProcess.RunAsync("protect", Path.Combine(_work, "nope"), "-o", Path.Combine(_work, "out"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("No such file or folder", result.Output);
    }

    [SkippableFact]
    public async Task Kodak24_pngs_are_protected_within_8_levels_by_an_independent_decoder()
    {
        var archive = SharedData.Find("kodak24.tar");
        Skip.If(archive is null, "../shared/data/kodak24.tar is absent: Kodak-24 check skipped.");
        var input = Path.Combine(SharedData.ExtractTar(archive!, "kodak24"), "PhotoCD_PCD0992");
        var output = Path.Combine(_work, "kodak-out");

        var result = await ProtectAsync(input, "-o", output, "--epsilon", "8");

        Assert.True(result.ExitCode == 0, result.Output);
        var originals = Directory.GetFiles(input, "*.png").Order().ToArray();
        Assert.Equal(24, originals.Length);
        foreach (var original in originals)
        {
            var a = IndependentPngDecoder.Decode(await File.ReadAllBytesAsync(original));
            var b = IndependentPngDecoder.Decode(await File.ReadAllBytesAsync(Path.Combine(output, Path.GetFileName(original))));
            Assert.Equal((a.Width, a.Height, a.Channels), (b.Width, b.Height, b.Channels));
            int max = 0, changed = 0;
            for (int i = 0; i < a.Samples.Length; i++)
            {
                int d = Math.Abs(a.Samples[i] - b.Samples[i]);
                max = Math.Max(max, d);
                changed += d != 0 ? 1 : 0;
            }
            Assert.True(max <= 8, $"{original}: L-inf {max}");
            Assert.True(changed > a.Samples.Length / 2, $"{original}: only {changed} of {a.Samples.Length} values changed");
        }
    }

    private static Task<CliProcess.Result> ProtectAsync(params string[] args) => CliProcess.RunAsync(WithSecret, ["protect", .. args, "--owner", "test-owner"]);

    /// <summary>A smooth photo-like gradient with gentle texture: what a camera JPEG mostly holds.</summary>
    private static Image<Rgb24> SmoothPhoto(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double t = Math.Sin(x / 17.0) * Math.Cos(y / 11.0);
                image[x, y] = new Rgb24((byte)(40 + x * 160 / width + 20 * t), (byte)(60 + y * 120 / height - 15 * t), (byte)(120 + 50 * t));
            }
        }
        return image;
    }

    private static void WritePhoto(string path, int width, int height)
    {
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgba32((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x * y) % 256));
        image.Save(path);
    }
}
