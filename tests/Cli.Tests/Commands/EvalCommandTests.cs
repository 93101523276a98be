using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.Cli.Tests.Support;

namespace UploadGuard.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "uploadguard-cli-tests", Guid.NewGuid().ToString("N"));

    public EvalCommandTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Missing_data_is_a_clear_error_with_a_non_zero_exit()
    {
        var result = await CliProcess.RunAsync("eval", "--data", Path.Combine(_work, "absent.tar.gz"), "--train-subset", "train/", "--test-subset", "test/",
            "--model", "none");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", Flatten(result.Output));
        Assert.DoesNotContain("Unhandled exception", result.Output);
    }

    [Fact]
    public async Task A_subset_without_images_is_a_clear_error()
    {
        WriteSplit(Path.Combine(_work, "data"), "train", perClass: 2);

        var result = await CliProcess.RunAsync("eval", "--data", Path.Combine(_work, "data"), "--train-subset", "train/", "--test-subset", "test/",
            "--model", "none", "--size", "16", "--epochs", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("holds no images", Flatten(result.Output));
    }

    [Fact]
    public async Task Train_then_eval_runs_end_to_end_with_the_trained_model_file()
    {
        var photos = Directory.CreateDirectory(Path.Combine(_work, "photos")).FullName;
        for (int i = 0; i < 24; i++)
            WritePhoto(Path.Combine(photos, $"{i}.png"), 24 + i % 5, 24, i, tint: i % 3);
        var data = Path.Combine(_work, "data");
        WriteSplit(data, "train", perClass: 12);
        WriteSplit(data, "test", perClass: 4);
        var models = Path.Combine(_work, "models");
        var json = Path.Combine(_work, "results.json");
        var markdown = Path.Combine(_work, "table.md");

        var train = await CliProcess.RunAsync("train", "--data", photos, "--size", "32", "--proxy-size", "16", "--steps", "2", "--batch", "4",
            "--version", "cli-eval", "--models", models, "--device", "cpu");
        Assert.True(train.ExitCode == 0, train.Output);

        var eval = await CliProcess.RunAsync("eval", "--data", data, "--train-subset", "train/", "--test-subset", "test/", "--size", "16",
            "--model", "cli-eval", "--models", models, "--arch", "resnet20", "--rows", "clean,protected,jpeg10,gray,downscale,clean-downscale,sanity-block",
            "--epochs", "1", "--batch", "8", "--device", "cpu", "--out", json, "--markdown", markdown);

        Assert.True(eval.ExitCode == 0, eval.Output);
        Assert.Contains("Test accuracy on 8 clean images", eval.Output);
        Assert.Contains("untrained model: no protection claimed", eval.Output);
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = results.RootElement;
        Assert.Equal("cli-eval", root.GetProperty("modelVersion").GetString());   // loaded and hash-checked from the registry
        Assert.False(root.GetProperty("modelTrained").GetBoolean());
        Assert.Equal(32, root.GetProperty("modelWorkingSize").GetInt32());
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["clean", "protected", "jpeg10", "gray", "downscale", "clean-downscale", "sanity-block"], runs.Select(r => r.GetProperty("row").GetString()));
        Assert.All(runs, r => Assert.InRange(r.GetProperty("result").GetProperty("testAccuracy").GetDouble(), 0, 1));
        Assert.Equal("untrained model: no protection claimed", runs[1].GetProperty("note").GetString());
        Assert.Equal(JsonValueKind.Null, runs[0].GetProperty("note").ValueKind);
        Assert.True(root.GetProperty("protectedQuality").GetProperty("psnrDb").GetDouble() > 20);
        string table = await File.ReadAllTextAsync(markdown);
        Assert.Contains("uploadguard eval --data", table);
        Assert.Contains("| protected |", table);
        Assert.Contains("untrained model: no protection claimed", table);
    }

    private static string Flatten(string output) => string.Join(' ', output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Two classes that differ in colour, so even one epoch has something to learn.</summary>
    private static void WriteSplit(string root, string subset, int perClass)
    {
        for (int c = 0; c < 2; c++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, subset, c == 0 ? "reds" : "blues")).FullName;
            for (int i = 0; i < perClass; i++)
                WritePhoto(Path.Combine(folder, $"{i:000}.png"), 16, 16, 10 * i + subset.Length, tint: c);
        }
    }

    private static void WritePhoto(string path, int width, int height, int seed, int tint)
    {
        var random = new Random(seed);
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int noise = random.Next(60);
                image[x, y] = tint switch
                {
                    0 => new Rgba32((byte)(180 + noise), (byte)(40 + noise), (byte)(30 + x)),
                    1 => new Rgba32((byte)(30 + x), (byte)(50 + noise), (byte)(170 + noise)),
                    _ => new Rgba32((byte)(90 + noise), (byte)(140 + y), (byte)(60 + noise)),
                };
            }
        }
        image.Save(path);
    }
}
