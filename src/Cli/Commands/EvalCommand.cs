using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Cli.Commands;

/// <summary><c>uploadguard eval --data &lt;archive&gt; --train-subset P --test-subset P ...</c>: the victim benchmark.</summary>
internal static class EvalCommand
{
    private const string NoModel = "none";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Labelled images: a folder or .tar / .tar.gz archive laid out as <subset>/<class>/<file>.", Required = true };
        var trainSubset = new Option<string>("--train-subset") { Description = "Training images' path prefix, e.g. cifar10-jpg/train/.", Required = true };
        var testSubset = new Option<string>("--test-subset") { Description = "Clean test images' path prefix, e.g. cifar10-jpg/test/.", Required = true };
        var perClass = new Option<int?>("--per-class") { Description = "Training images per class (seeded random choice; default all)." };
        var size = new Option<int>("--size") { Description = "Side of the images the victims see.", DefaultValueFactory = _ => 32 };
        var protectSize = new Option<int?>("--protect-size") { Description = "Side the training images are protected at before resizing to --size (default --size)." };
        var model = new Option<string?>("--model") { Description = "Model version that protects the training images, or none (default: the registry's active version)." };
        var models = CommonOptions.ModelsPath();
        var arch = new Option<string>("--arch") { Description = "Victim architectures, comma-separated: resnet20, vgg, mobilenetv2.", DefaultValueFactory = _ => "resnet20" };
        var rows = new Option<string?>("--rows")
        {
            Description = $"Training sets, comma-separated: {string.Join(",", BenchmarkRows.All.Select(r => r.Name))} (default all but the concept rows; without a model only "
                + $"{string.Join(",", BenchmarkRows.Defaults(withModel: false).Select(r => r.Name))}).",
        };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per victim.", DefaultValueFactory = _ => 15 };
        var batch = new Option<int>("--batch") { Description = "Victim batch size.", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Peak of the one-cycle learning rate.", DefaultValueFactory = _ => 0.1 };
        var epsilon = new Option<int>("--epsilon", "-e") { Description = "L-infinity budget in 8-bit levels (protection and sanity noise).", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seeds the per-class choice, the sanity patterns and the victims.", DefaultValueFactory = _ => 1 };
        var concepts = new Option<int>("--concepts") { Description = "k-means concepts of the concept-block row.", DefaultValueFactory = _ => 10 };
        var blockSize = new Option<int>("--block-size") { Description = "Block side in pixels of the sanity-block, concept-block and concept-hash noise, at the victim's size.", DefaultValueFactory = _ => 8 };
        var sanityAgreement = new Option<double>("--sanity-agreement")
        {
            Description = "Share of sanity-block images keyed by their own class (the rest by another; calibrates the purity a concept key needs).",
            DefaultValueFactory = _ => 1,
        };
        var protectFormat = new Option<string>("--protect-format") { Description = "How the engine encodes protected images: jpeg (the engine's JPEG output: quality 100, 4:4:4, re-projected, as for a JPEG upload) or png.", DefaultValueFactory = _ => "jpeg" };
        protectFormat.AcceptOnlyFromAmong("jpeg", "png");
        var device = CommonOptions.Device();
        var output = new Option<FileInfo?>("--out") { Description = "Write the full results as JSON." };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Write the results as Markdown tables, headed by this command." };

        var command = new Command("eval", "Measure protection: train victims from scratch on clean, protected and countermeasured images, test on clean images.")
        {
            data, trainSubset, testSubset, perClass, size, protectSize, model, models, arch, rows, epochs, batch, lr, epsilon, seed, concepts, blockSize, sanityAgreement,
            protectFormat, device, output, markdown,
        };
        command.Subcommands.Add(EvalIdentityCommand.Create());
        command.SetAction((result, cancellationToken) => RunAsync(result, new Inputs(data, trainSubset, testSubset, perClass, size, protectSize, model, models, arch,
            rows, epochs, batch, lr, epsilon, seed, concepts, blockSize, sanityAgreement, protectFormat, device), result.GetValue(output), result.GetValue(markdown), args: Environment.GetCommandLineArgs(),
            cancellationToken));
        return command;
    }

    private sealed record Inputs(Option<string> Data, Option<string> TrainSubset, Option<string> TestSubset, Option<int?> PerClass, Option<int> Size,
        Option<int?> ProtectSize, Option<string?> Model, Option<DirectoryInfo> Models, Option<string> Arch, Option<string?> Rows, Option<int> Epochs,
        Option<int> Batch, Option<double> Lr, Option<int> Epsilon, Option<int> Seed, Option<int> Concepts, Option<int> BlockSize, Option<double> SanityAgreement, Option<string> ProtectFormat, Option<string> Device);

    private static async Task<int> RunAsync(ParseResult parsed, Inputs inputs, FileInfo? output, FileInfo? markdown, string[] args, CancellationToken cancellationToken)
    {
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);

        string dataSource = parsed.GetValue(inputs.Data)!;
        if (!File.Exists(dataSource) && !Directory.Exists(dataSource))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] the evaluation data '{dataSource}' does not exist (give a folder or a .tar / .tar.gz archive).");
            return 2;
        }

        BenchmarkOptions options;
        try
        {
            options = Options(parsed, inputs, dataSource);
            options.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or ModelIntegrityException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }

        BenchmarkResult result;
        try
        {
            var progress = new LineProgress();
            result = await ProtectionBenchmark.RunAsync(options, progress, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]cancelled[/]; nothing was written.");
            return 130;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ModelIntegrityException or IOException or UnauthorizedAccessException or ImageRejectedException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 1;
        }

        PrintTable(result);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output.FullName, JsonSerializer.Serialize(result, ModelCard.JsonOptions), CancellationToken.None);
            AnsiConsole.MarkupLineInterpolated($"Results written to {output.FullName}");
        }
        if (markdown is not null)
        {
            await File.WriteAllTextAsync(markdown.FullName, BenchmarkMarkdown.Write(result, CommandLine(args)), CancellationToken.None);
            AnsiConsole.MarkupLineInterpolated($"Markdown written to {markdown.FullName}");
        }
        return 0;
    }

    private static BenchmarkOptions Options(ParseResult parsed, Inputs inputs, string dataSource)
    {
        string modelsPath = parsed.GetValue(inputs.Models)!.FullName;
        string? requested = parsed.GetValue(inputs.Model);
        string? version = requested switch
        {
            NoModel => null,
            null => new ModelRegistry(modelsPath).ActiveVersion,
            _ => requested,
        };
        var architectures = CommonOptions.CommaList(parsed.GetValue(inputs.Arch)!).Select(VictimArchitectures.Parse).Distinct().ToList();
        var rows = parsed.GetValue(inputs.Rows) is { } list
            ? CommonOptions.CommaList(list).Select(BenchmarkRows.Parse).Distinct().ToList()
            : BenchmarkRows.Defaults(withModel: version is not null).ToList();
        return new BenchmarkOptions
        {
            DataSource = dataSource,
            TrainSubset = parsed.GetValue(inputs.TrainSubset)!,
            TestSubset = parsed.GetValue(inputs.TestSubset)!,
            PerClass = parsed.GetValue(inputs.PerClass),
            Size = parsed.GetValue(inputs.Size),
            ProtectSize = parsed.GetValue(inputs.ProtectSize),
            ModelVersion = version,
            ModelsPath = modelsPath,
            Architectures = architectures,
            Rows = rows,
            Recipe = new VictimRecipe { Epochs = parsed.GetValue(inputs.Epochs), BatchSize = parsed.GetValue(inputs.Batch), PeakLearningRate = parsed.GetValue(inputs.Lr) },
            Epsilon = parsed.GetValue(inputs.Epsilon),
            Seed = parsed.GetValue(inputs.Seed),
            Concepts = parsed.GetValue(inputs.Concepts),
            BlockSize = parsed.GetValue(inputs.BlockSize),
            SanityAgreement = parsed.GetValue(inputs.SanityAgreement),
            ProtectFormat = parsed.GetValue(inputs.ProtectFormat) == "png" ? OutputFormat.Png : OutputFormat.Jpeg,
            Device = parsed.GetValue(inputs.Device)!,
        };
    }

    private static void PrintTable(BenchmarkResult result)
    {
        var architectures = result.Runs.Select(r => r.Architecture).Distinct().ToList();
        var table = new Table().Title($"Test accuracy on {result.TestImages:N0} clean images ({result.TrainImages:N0} training images, {result.Size} px)");
        table.AddColumn("Training set");
        foreach (var a in architectures)
            table.AddColumn(new TableColumn(a).RightAligned());
        table.AddColumn(new TableColumn("PSNR vs clean").RightAligned());
        table.AddColumn(new TableColumn("SSIM").RightAligned());
        table.AddColumn("Note");
        foreach (var row in result.Runs.Select(r => r.Row).Distinct())
        {
            var cells = new List<string> { Markup.Escape(row) };
            foreach (var a in architectures)
            {
                var run = result.Runs.FirstOrDefault(r => r.Row == row && r.Architecture == a);
                cells.Add(run is null ? "-" : Percent(run.Result.TestAccuracy));
            }
            var quality = result.TrainingSetQuality.GetValueOrDefault(row);
            cells.Add(quality?.PsnrDb is { } psnr ? $"{psnr.ToString("0.00", CultureInfo.InvariantCulture)} dB" : "identical");
            cells.Add(quality?.Ssim is { } ssim ? ssim.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a");
            string? note = result.Runs.First(r => r.Row == row).Note;
            cells.Add(note is null ? "" : $"[yellow]{Markup.Escape(note)}[/]");
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        if (result.ModelVersion is not null)
        {
            string trained = result.ModelTrained == true ? "" : $" [yellow]({ModelCard.UntrainedWarning})[/]";
            AnsiConsole.MarkupLineInterpolated($"Model {result.ModelVersion}, working size {result.ModelWorkingSize} px, epsilon {result.Epsilon}, protected at {result.ProtectSize} px");
            if (trained.Length > 0)
                AnsiConsole.MarkupLine(trained.Trim());
            if (result.ProtectedQuality is { } q)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"Protected images: PSNR {(q.PsnrDb is { } p ? p.ToString("0.00", CultureInfo.InvariantCulture) + " dB" : "identical")}, SSIM {(q.Ssim is { } s ? s.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a")}, largest change {q.MaxAbsDifference} levels");
            }
        }
        AnsiConsole.MarkupLineInterpolated($"{result.Elapsed.TotalMinutes:0.0} min on {result.Machine}");
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    /// <summary>The command as typed, for the Markdown's header (the program's own path reduced to its name).</summary>
    internal static string CommandLine(string[] args) =>
        "uploadguard " + string.Join(' ', args.Skip(1).Select(a => a.Any(char.IsWhiteSpace) ? $"\"{a}\"" : a));

    /// <summary>Plain lines, one per stage change or epoch: readable live and in log files alike.</summary>
    internal sealed class LineProgress : IProgress<BenchmarkProgress>
    {
        private string? last;

        public void Report(BenchmarkProgress value)
        {
            if (value.Stage == BenchmarkStage.Loading && value.Done > 0 && value.Done % 10_000 != 0)
                return;   // reading reports every 256 files; one line per 10,000 is enough
            string line = value.Epoch is { } e
                ? string.Create(CultureInfo.InvariantCulture, $"{value.Message}  loss {e.MeanLoss:0.000}  train acc {e.TrainAccuracy * 100:0.0} %  lr {e.LastLearningRate:0.0000}  {e.Elapsed.TotalSeconds:0} s")
                : value.Message;
            if (line == last)
                return;
            last = line;
            AnsiConsole.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {line}");
        }
    }
}
