using System.Diagnostics;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.Cli.Tests.Support;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Training;
using static System.FormattableString;

namespace UploadGuard.Cli.Tests.Commands;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "uploadguard-cli-tests", Guid.NewGuid().ToString("N"));

    public TrainCommandTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Missing_data_is_a_clear_error_with_a_non_zero_exit()
    {
        var result = await CliProcess.RunAsync("train", "--data", Path.Combine(_work, "absent.tar.gz"), "--models", Path.Combine(_work, "models"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", string.Join(' ', result.Output.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("Unhandled exception", result.Output);
    }

    [Fact]
    public async Task A_smoke_run_saves_a_version_marked_untrained()
    {
        WritePhotos();
        var models = Path.Combine(_work, "models");

        var result = await CliProcess.RunAsync("train", "--data", Path.Combine(_work, "photos"), "--size", "32", "--proxy-size", "16", "--steps", "2",
            "--batch", "4", "--checkpoints", Path.Combine(_work, "checkpoints"), "--checkpoint-every", "1", "--version", "cli-smoke",
            "--models", models, "--device", "cpu", "--halving", "0.4", "--curriculum-fraction", "0.8", "--loud-views", "0.25", "--loud-atom-gradient", "0", "--keep-stand-ins", "--fresh-beside-kept");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("untrained model: no protection claimed", result.Output);
        using var card = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(models, "cli-smoke", "model-card.json")));
        Assert.False(card.RootElement.GetProperty("trained").GetBoolean());
        Assert.Equal(2, card.RootElement.GetProperty("trainingSteps").GetInt64());
        Assert.Equal("owner-texture-two-coarse-gratings-v1", card.RootElement.GetProperty("architecture").GetProperty("name").GetString());
        Assert.Contains("a halving with probability 0.4", card.RootElement.GetProperty("notes").GetString(), StringComparison.Ordinal);
        Assert.Contains("a share 0.25 of the owned photos at 3 times epsilon all run teaching the stand-in only", card.RootElement.GetProperty("notes").GetString(), StringComparison.Ordinal);
        Assert.Contains("the amplitude falling from 3 times epsilon to it over the first 80% of the run", card.RootElement.GetProperty("notes").GetString(), StringComparison.Ordinal);
        Assert.Contains("one stand-in victim (resnet20) kept through the run beside a from-scratch one", card.RootElement.GetProperty("notes").GetString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_work, "checkpoints", "owner-texture-stand-in.safetensors")));
        Assert.True(File.Exists(Path.Combine(_work, "checkpoints", "owner-texture-checkpoint.json")));
    }

    [Fact]
    public void The_training_defaults_are_the_recipe_of_the_active_model()
    {
        // A retrain with the defaults (CLI or admin endpoint) should make the kind of model whose protection is measured.
        var registry = new ModelRegistry(Path.Combine(AppContext.BaseDirectory, "models"));
        var active = registry.ReadCard(registry.ActiveVersion);
        var defaults = new GeneratorTrainingOptions { DataSource = "", ModelsPath = "" };

        Assert.Equal(active.Architecture.Name, defaults.Architecture.Name);
        Assert.Equal(active.Epsilon, defaults.Epsilon);
        Assert.Equal(active.TrainingSteps, defaults.Steps);
        Assert.Contains(Invariant($"{defaults.PseudoOwners} pseudo-owners"), active.Notes, StringComparison.Ordinal);
        Assert.Contains(Invariant($"every {defaults.EpisodeSteps} steps"), active.Notes, StringComparison.Ordinal);
        Assert.Contains(Invariant($"victims at {defaults.SmallestProxySize}-{defaults.ProxySize} px"), active.Notes, StringComparison.Ordinal);
        Assert.Contains(Invariant($"grey with probability {defaults.GrayProbability} per photo and {defaults.GrayEpisodeProbability} per episode"), active.Notes, StringComparison.Ordinal);
        Assert.Contains(Invariant($"JPEG 60-95 with probability {defaults.JpegProbability}"), active.Notes, StringComparison.Ordinal);
        Assert.Contains(Invariant($"key distinctness weighted {defaults.KeyDistinctnessWeight}"), active.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_c_finishes_the_step_writes_its_checkpoint_and_says_how_to_resume()
    {
        WritePhotos();
        var checkpoints = Path.Combine(_work, "checkpoints");
        using var training = CliProcess.Start("train", "--data", Path.Combine(_work, "photos"), "--size", "32", "--proxy-size", "16", "--steps", "100000",
            "--batch", "4", "--checkpoints", checkpoints, "--checkpoint-every", "100000", "--version", "cli-cancelled",
            "--models", Path.Combine(_work, "models"), "--device", "cpu", "--log-every", "1");
        var errors = training.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var output = new List<string>();
        // Interrupted only once a step is done, however slowly this machine gets there.
        while (await training.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.Add(line);
            if (line.TrimStart().StartsWith("step ", StringComparison.Ordinal))
                break;
        }
        using (var interrupt = Process.Start("kill", ["-INT", training.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await interrupt.WaitForExitAsync(timeout.Token);
        output.Add(await training.StandardOutput.ReadToEndAsync(timeout.Token));
        await training.WaitForExitAsync(timeout.Token);

        string all = string.Join('\n', output);
        Assert.True(training.ExitCode == 130, $"exit {training.ExitCode}: {all} {await errors}");
        using var checkpoint = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(checkpoints, "owner-texture-checkpoint.json")));
        long step = checkpoint.RootElement.GetProperty("Step").GetInt64();
        Assert.True(step >= 1, all);
        Assert.Contains($"cancelled after step {step:N0}", string.Join(' ', all.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(Path.Combine(_work, "models", "cli-cancelled")));
    }

    [Fact]
    public async Task A_logged_run_names_each_checkpoint_and_the_step_it_resumes_from()
    {
        WritePhotos();
        string[] Command(int steps) => ["train", "--data", Path.Combine(_work, "photos"), "--size", "32", "--proxy-size", "16", "--steps", $"{steps}",
            "--batch", "4", "--checkpoints", Path.Combine(_work, "checkpoints"), "--checkpoint-every", "1", "--version", $"cli-logged-{steps}",
            "--models", Path.Combine(_work, "models"), "--device", "cpu", "--log-every", "1"];

        var first = await CliProcess.RunAsync(Command(2));
        var resumed = await CliProcess.RunAsync(Command(3));

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("step 1/2  Checkpoint of step 1 written", first.Output);
        Assert.Contains("step 2/2  Checkpoint of step 2 written", first.Output);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("step 2/3  Resumed from the checkpoint of step 2", resumed.Output);
        Assert.Contains("step 3/3  Checkpoint of step 3 written", resumed.Output);
    }

    [Fact]
    public async Task A_retired_architecture_is_a_usage_error()
    {
        WritePhotos();

        var result = await CliProcess.RunAsync("train", "--data", Path.Combine(_work, "photos"), "--architecture", "concept-poison", "--models", Path.Combine(_work, "models"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("owner-texture", result.Output);
        Assert.DoesNotContain("Unhandled exception", result.Output);
    }

    [Fact]
    public async Task An_unknown_stand_in_victim_is_a_usage_error_naming_the_known_ones()
    {
        WritePhotos();

        var result = await CliProcess.RunAsync("train", "--data", Path.Combine(_work, "photos"), "--stand-ins", "resnet20,alexnet", "--models", Path.Combine(_work, "models"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown architecture 'alexnet'", result.Output);
        Assert.Contains("mobilenetv2", result.Output);
        Assert.False(Directory.Exists(Path.Combine(_work, "models")));
    }

    [Fact]
    public async Task A_negative_key_distinctness_weight_is_a_usage_error()
    {
        WritePhotos();

        var result = await CliProcess.RunAsync("train", "--data", Path.Combine(_work, "photos"), "--distinct-keys", "-1", "--models", Path.Combine(_work, "models"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("key-distinctness weight must be 0 or more", string.Join(' ', result.Output.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("Unhandled exception", result.Output);
        Assert.False(Directory.Exists(Path.Combine(_work, "models")));
    }

    /// <summary>Eight small photos of slightly different widths in one class folder under photos/.</summary>
    private void WritePhotos()
    {
        var data = Directory.CreateDirectory(Path.Combine(_work, "photos", "any-class")).FullName;
        for (int i = 0; i < 8; i++)
            WritePhoto(Path.Combine(data, $"{i}.png"), 32 + i, 32, i);
    }

    private static void WritePhoto(string path, int width, int height, int seed)
    {
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgba32((byte)(x * 255 / width), (byte)((y * 255 / height + 40 * seed) % 256), (byte)((x * y + seed) % 256));
        image.Save(path);
    }
}
