using System.Diagnostics;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.Cli.Tests.Support;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Cli.Tests.Commands;

/// <summary><c>uploadguard retrain</c>, the admin retraining worker, run as the gateway runs it: stdin and stdout piped.</summary>
public sealed class RetrainCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    private readonly string _work = Path.Combine(Path.GetTempPath(), "uploadguard-cli-tests", Guid.NewGuid().ToString("N"));

    public RetrainCommandTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Photos => Path.Combine(_work, "photos");

    private string Models => Path.Combine(_work, "models");

    private string Checkpoints => Path.Combine(_work, "checkpoints");

    [Fact]
    public async Task A_short_run_reports_its_settings_progress_version_and_gate_as_json_lines()
    {
        WritePhotos();
        var work = WriteWork(new
        {
            steps = 2,
            batchSize = 4,
            imageSize = 32,
            proxySize = 16,
            dataSource = Photos,
            modelsPath = Models,
            checkpointDirectory = Checkpoints,
            checkpointInterval = 1,
            keepStandIns = true,
            freshBesideKept = true,
            device = "cpu",
            gateSampleSize = 4,
            version = "retrain-smoke",
        });

        using var worker = CliProcess.Start("retrain", "--work", work);
        var (events, stderr) = await ReadToExitAsync(worker);

        Assert.True(worker.ExitCode == 0, $"exit {worker.ExitCode}: {stderr}");
        Assert.Equal(["started", "progress", "progress", "trained", "gate"], events.Select(Name));
        var settings = events[0].GetProperty("settings");
        Assert.Equal(2, settings.GetProperty("steps").GetInt64());
        Assert.Equal(4, settings.GetProperty("batchSize").GetInt32());
        // Left out of the work file: train's defaults.
        var defaults = new GeneratorTrainingOptions { DataSource = "", ModelsPath = "" };
        Assert.Equal(defaults.LearningRate, settings.GetProperty("learningRate").GetDouble());
        Assert.Equal(defaults.PseudoOwners, settings.GetProperty("pseudoOwners").GetInt32());
        Assert.Equal(defaults.GrayProbability, settings.GetProperty("gray").GetDouble());
        Assert.Equal(defaults.JpegProbability, settings.GetProperty("jpeg").GetDouble());
        Assert.Equal(defaults.HalvingProbability, settings.GetProperty("halving").GetDouble());
        Assert.Equal(defaults.CurriculumFraction, settings.GetProperty("curriculumFraction").GetDouble());
        Assert.Equal(defaults.LoudViewProbability, settings.GetProperty("loudViews").GetDouble());
        Assert.Equal(defaults.LoudViewAtomGradient, settings.GetProperty("loudAtomGradient").GetDouble());
        Assert.Equal(defaults.Epsilon, settings.GetProperty("epsilon").GetInt32());
        Assert.Equal("owner-texture-two-coarse-gratings", settings.GetProperty("architecture").GetString());
        Assert.Equal(defaults.KeyDistinctnessWeight, settings.GetProperty("distinctKeys").GetDouble());
        Assert.True(settings.GetProperty("keepStandIns").GetBoolean());
        Assert.True(settings.GetProperty("freshBesideKept").GetBoolean());

        var last = events[2];
        Assert.Equal("training", last.GetProperty("phase").GetString());
        Assert.Equal(2, last.GetProperty("step").GetInt64());
        Assert.Equal(2, last.GetProperty("totalSteps").GetInt64());
        Assert.True(last.GetProperty("lossTerms").TryGetProperty("loss", out _));
        Assert.True(last.GetProperty("imagesPerSecond").GetDouble() > 0);

        Assert.Equal("retrain-smoke", events[3].GetProperty("version").GetString());
        Assert.True(File.Exists(Path.Combine(Models, "retrain-smoke", "model-card.json")));
        Assert.Contains("one stand-in victim (resnet20) kept through the run", File.ReadAllText(Path.Combine(Models, "retrain-smoke", "model-card.json")), StringComparison.Ordinal);
        var gate = events[4].GetProperty("gate");
        Assert.False(gate.GetProperty("passed").GetBoolean());
        Assert.Contains(gate.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("not marked trained", StringComparison.Ordinal));
        Assert.Equal("retrain-smoke", gate.GetProperty("candidate").GetProperty("version").GetString());
    }

    [Fact]
    public async Task A_missing_or_invalid_work_file_is_a_usage_error_with_a_message()
    {
        var missing = await CliProcess.RunAsync("retrain", "--work", Path.Combine(_work, "absent.json"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("absent.json", missing.Output);

        WritePhotos();
        var misspelt = await CliProcess.RunAsync("retrain", "--work", WriteWork(new { setps = 2, dataSource = Photos }));
        Assert.Equal(2, misspelt.ExitCode);
        Assert.Contains("setps", misspelt.Output);

        var outOfRange = await CliProcess.RunAsync("retrain", "--work", WriteWork(new { steps = 0, dataSource = Photos, modelsPath = Models }));
        Assert.Equal(2, outOfRange.ExitCode);
        Assert.Contains("At least one step", outOfRange.Output);

        var noData = await CliProcess.RunAsync("retrain", "--work", WriteWork(new { dataSource = Path.Combine(_work, "nowhere"), modelsPath = Models }));
        Assert.Equal(2, noData.ExitCode);
        Assert.Contains("does not exist", noData.Output);
        Assert.DoesNotContain("Unhandled exception", noData.Output);
        Assert.False(Directory.Exists(Models));
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("end of input")]
    [InlineData("SIGTERM")]
    public async Task Cancel_on_stdin_its_end_or_SIGTERM_stops_at_a_checkpoint_of_the_last_step(string how)
    {
        WritePhotos();
        var work = WriteWork(new
        {
            steps = 100_000,
            batchSize = 2,
            imageSize = 32,
            proxySize = 16,
            dataSource = Photos,
            modelsPath = Models,
            checkpointDirectory = Checkpoints,
            checkpointInterval = 100_000,
            device = "cpu",
            version = "retrain-cancelled",
        });

        using var worker = CliProcess.Start("retrain", "--work", work);
        var stderr = worker.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<JsonElement>();
        // Cancelled only once a step is done, however slowly this machine gets there.
        while (await worker.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            events.Add(JsonDocument.Parse(line).RootElement.Clone());
            if (Name(events[^1]) == "progress")
                break;
        }
        switch (how)
        {
            case "cancel":
                await worker.StandardInput.WriteLineAsync("cancel");
                break;
            case "end of input":
                worker.StandardInput.Close();
                break;
            default:
                using (var kill = Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                    await kill.WaitForExitAsync(timeout.Token);
                break;
        }
        while (await worker.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            events.Add(JsonDocument.Parse(line).RootElement.Clone());
        await worker.WaitForExitAsync(timeout.Token);

        Assert.True(worker.ExitCode == 3, $"exit {worker.ExitCode}: {await stderr}");
        var cancelled = events[^1];
        Assert.Equal("cancelled", Name(cancelled));
        long step = cancelled.GetProperty("step").GetInt64();
        Assert.True(step >= 1, cancelled.ToString());
        // The checkpoint folder holds the step the worker reported (the interval alone would have written none).
        using var checkpoint = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Checkpoints, "owner-texture-checkpoint.json")));
        Assert.Equal(step, checkpoint.RootElement.GetProperty("Step").GetInt64());
        Assert.False(Directory.Exists(Path.Combine(Models, "retrain-cancelled")));
    }

    private static string Name(JsonElement e) => e.GetProperty("event").GetString()!;

    /// <summary>Every stdout line, each of which must be one JSON event, and stderr, once the worker has exited.</summary>
    private static async Task<(List<JsonElement> Events, string Stderr)> ReadToExitAsync(Process worker)
    {
        var stderr = worker.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<JsonElement>();
        while (await worker.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            events.Add(JsonDocument.Parse(line).RootElement.Clone());
        await worker.WaitForExitAsync(timeout.Token);
        return (events, await stderr);
    }

    private string WriteWork(object work)
    {
        var path = Path.Combine(_work, $"work-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(work));
        return path;
    }

    /// <summary>Eight small photos of slightly different widths.</summary>
    private void WritePhotos()
    {
        var data = Directory.CreateDirectory(Path.Combine(Photos, "any-class")).FullName;
        for (int i = 0; i < 8; i++)
        {
            using var image = new Image<Rgba32>(32 + i, 32);
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                    image[x, y] = new Rgba32((byte)(x * 255 / image.Width), (byte)((y * 8 + 40 * i) % 256), (byte)((x * y + i) % 256));
            image.Save(Path.Combine(data, $"{i}.png"));
        }
    }
}
