using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Files;

namespace UploadGuard.Cli.Commands;

/// <summary><c>uploadguard protect &lt;file|folder&gt; -o &lt;out&gt;</c></summary>
internal static class ProtectCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A photo, or a folder of photos (.jpg, .jpeg, .png, .webp; top level)." };
        var output = new Option<string>("--output", "-o") { Description = "Output file, or folder for several photos.", Required = true };
        var epsilon = CommonOptions.Epsilon("L-infinity budget in 8-bit levels");
        var format = new Option<string>("--format", "-f") { Description = "Output format.", DefaultValueFactory = _ => "keep" };
        format.AcceptOnlyFromAmong("keep", "png", "jpeg", "webp");
        var metadata = new Option<string>("--metadata") { Description = "Metadata policy.", DefaultValueFactory = _ => "strip-personal" };
        metadata.AcceptOnlyFromAmong("strip-personal", "keep", "strip-all");
        var model = new Option<string?>("--model") { Description = "Model version (default: the registry's active one)." };
        var models = CommonOptions.ModelsPath();
        var device = CommonOptions.Device();
        var overwrite = new Option<bool>("--overwrite") { Description = "Allow the output to replace the original file." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Photos processed at once.", DefaultValueFactory = _ => Math.Max(2, Environment.ProcessorCount) };
        var report = new Option<FileInfo?>("--report") { Description = "Write every image's report to this JSON file." };
        var owner = new OwnerKeyOptions();

        var command = new Command("protect", "Protect photos with the active generator.")
        {
            input, output, epsilon, format, metadata, model, models, device, overwrite, jobs, report,
        };
        owner.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result, owner, new Settings(
            result.GetValue(input)!,
            result.GetValue(output)!,
            result.GetValue(epsilon),
            ParseFormat(result.GetValue(format)!),
            ParseMetadata(result.GetValue(metadata)!),
            result.GetValue(model),
            result.GetValue(models)!.FullName,
            result.GetValue(device)!,
            result.GetValue(overwrite),
            Math.Max(1, result.GetValue(jobs)),
            result.GetValue(report),
            result.GetValue(owner.Owner)), cancellationToken));
        return command;
    }

    private sealed record Settings(
        string Input, string Output, int? Epsilon, OutputFormat Format, MetadataPolicy Metadata, string? Model,
        string ModelsPath, string Device, bool Overwrite, int Jobs, FileInfo? Report, string? Owner);

    private sealed record Outcome(FileInfo Input, FileInfo Output, ProtectionReport? Report, string? Error);

    private static async Task<int> RunAsync(ParseResult parsed, OwnerKeyOptions ownerOptions, Settings settings, CancellationToken cancellationToken)
    {
        OwnerKey? owner = null;
        try
        {
            if (settings.Owner is not null)
            {
                OwnerKeyring.ValidateOwnerId(settings.Owner);
                owner = ownerOptions.Keyring(parsed).Derive(settings.Owner);
            }
        }
        catch (ArgumentException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }
        ProtectPlan plan;
        try
        {
            plan = ProtectPlan.Create(settings.Input, settings.Output, settings.Format, settings.Overwrite);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidOperationException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }
        if (plan.Items.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] no .jpg, .jpeg, .png or .webp files in {settings.Input}");
            return 2;
        }

        ProtectionEngineHost engine;
        try
        {
            engine = ProtectionEngineHost.Create(
                new EngineOptions { ModelsPath = settings.ModelsPath, ModelVersion = settings.Model, Device = settings.Device },
                new ImagingOptions { Metadata = settings.Metadata },
                new BatchingOptions { QueueCapacity = Math.Max(16, settings.Jobs * 2) });
        }
        catch (Exception ex) when (ex is ModelIntegrityException or InvalidOperationException or ArgumentException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] cannot load the model: {ex.Message}");
            return 2;
        }

        await using (engine)
        {
            var card = engine.Models.Card;
            AnsiConsole.MarkupLineInterpolated($"Model [bold]{card.Version}[/] ({card.Architecture.Name}, {card.Parameters:N0} parameters, working size {card.WorkingSize} px)");
            if (!card.Trained)
                AnsiConsole.MarkupLine($"[yellow]warning: {ModelCard.UntrainedWarning}[/]");
            if (card.Architecture.IsOwnerKeyed && owner is null)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] model {card.Version} protects photos with their owner's key: give --owner ID.");
                return 2;
            }
            if (!card.Architecture.IsOwnerKeyed && owner is not null)
                AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] model {card.Version} is not owner-keyed; --owner is not used.");
            if (card.Architecture.IsOwnerKeyed)
                AnsiConsole.MarkupLineInterpolated($"Owner key {owner!.KeyId}");

            var options = new ProtectionOptions { Epsilon = settings.Epsilon, Format = settings.Format, Owner = owner };
            var outcomes = new Outcome[plan.Items.Count];
            var clock = Stopwatch.StartNew();
            string description = $"Perturbing {plan.Items.Count} image(s)";
            Task RunAllAsync(Action advanced) => Parallel.ForEachAsync(Enumerable.Range(0, plan.Items.Count),
                new ParallelOptions { MaxDegreeOfParallelism = settings.Jobs, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    outcomes[i] = await ProtectOneAsync(engine.Protector, plan.Items[i].Input, plan.Items[i].Output, options, ct);
                    advanced();
                });
            if (AnsiConsole.Profile.Capabilities.Interactive)
            {
                await AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask(description, maxValue: plan.Items.Count);
                        await RunAllAsync(() => task.Increment(1));
                    });
            }
            else
            {
                await RunAllAsync(new PlainProgress(description, plan.Items.Count, Console.Out).Advance);
            }
            clock.Stop();

            foreach (var failed in outcomes.Where(o => o.Error is not null))
                AnsiConsole.MarkupLineInterpolated($"[red]skipped[/] {failed.Input.Name}: {failed.Error}");
            PrintSummary(outcomes, clock.Elapsed, card);
            if (settings.Report is not null)
                await WriteReportAsync(settings.Report, outcomes, cancellationToken);
            return outcomes.Any(o => o.Error is not null) ? 1 : 0;
        }
    }

    private static async Task<Outcome> ProtectOneAsync(ImageProtector protector, FileInfo input, FileInfo output, ProtectionOptions options, CancellationToken ct)
    {
        try
        {
            ProtectionResult result;
            await using (var stream = input.OpenRead())
                result = await protector.ProtectAsync(stream, options, cancellationToken: ct);
            output.Directory?.Create();
            await AtomicFile.WriteAsync(output.FullName, result.Data, ct);
            return new Outcome(input, output, result.Report, null);
        }
        catch (ImageRejectedException ex)
        {
            return new Outcome(input, output, null, $"{ex.ReasonCode}: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EngineOverloadedException)
        {
            return new Outcome(input, output, null, ex.Message);
        }
    }

    private static void PrintSummary(IReadOnlyList<Outcome> outcomes, TimeSpan elapsed, ModelCard card)
    {
        var done = outcomes.Where(o => o.Report is not null).Select(o => o.Report!).ToList();
        var table = new Table().Title("Summary").AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("Images perturbed", done.Count.ToString("N0"));
        table.AddRow("Images skipped", (outcomes.Count - done.Count).ToString("N0"));
        table.AddRow("Time", $"{elapsed.TotalSeconds:0.00} s ({(done.Count > 0 ? elapsed.TotalMilliseconds / done.Count : 0):0} ms/image)");
        if (done.Count > 0)
        {
            int epsilon = done[0].Epsilon;
            var psnr = done.Where(r => r.PsnrDb is not null).Select(r => r.PsnrDb!.Value).ToList();
            table.AddRow("Mean PSNR", psnr.Count > 0 ? $"{psnr.Average():0.00} dB" : "identical");
            // Two figures, each named: the exact bound on the pixels written, and what a decoder gets back from the file.
            table.AddRow("Max L-inf before encoding", $"{done.Max(r => r.LinfBeforeEncoding)} levels (bound: epsilon {epsilon})");
            table.AddRow($"Max L-inf after decoding ({ImageCodec.VerificationDecoder})", $"{done.Max(r => r.LinfDecoded)} levels");
            if (done.Any(r => !r.Lossless))
            {
                var libjpeg = done.Select(r => r.LinfDecodedLibjpeg).OfType<int>().ToList();
                table.AddRow($"Max L-inf after decoding ({LibJpeg.DecoderName})", libjpeg.Count > 0
                    ? $"{libjpeg.Max()} levels ({libjpeg.Count} of {done.Count(r => !r.Lossless)} JPEG outputs measured)"
                    : "not measured (install libturbojpeg0)");
                table.AddRow("JPEG outputs", $"re-projected to aim at epsilon + 1 = {JpegReprojection.Target(epsilon)} decoded (by libjpeg too where both decoders agree on the source)");
            }
            table.AddRow("Changed values", $"{done.Average(r => r.ChangedFraction):P1}");
            table.AddRow("Size ratio (out/in)", $"{(double)done.Sum(r => r.OutputBytes) / done.Sum(r => r.InputBytes):0.00}x");
            table.AddRow("Protection claimed", Markup.Escape(ClaimLine(card, epsilon)));
        }
        table.AddRow("Model", card.Trained ? Markup.Escape(card.Version) : $"{Markup.Escape(card.Version)} [yellow](untrained)[/]");
        AnsiConsole.Write(table);
    }

    /// <summary>The card's claim at this epsilon, in the words of the status vocabulary (docs/protection.md).</summary>
    internal static string ClaimLine(ModelCard card, int epsilon) => card.ClaimAt(epsilon) switch
    {
        ClaimStatus.Measured => $"{ClaimStatusNames.Measured}: {card.ClaimedProtection}",
        ClaimStatus.BelowMeasuredEpsilon => $"{ClaimStatusNames.BelowMeasuredEpsilon}: none at epsilon {epsilon}; the card claims protection only at epsilon {card.Claim!.Epsilon} or more",
        _ => card.Trained ? $"{ClaimStatusNames.NoneClaimed}: the model card claims none" : $"{ClaimStatusNames.NoneClaimed}: untrained model",
    };

    private static async Task WriteReportAsync(FileInfo path, IReadOnlyList<Outcome> outcomes, CancellationToken ct)
    {
        var rows = outcomes.Select(o => new { input = o.Input.FullName, output = o.Report is null ? null : o.Output.FullName, report = o.Report, error = o.Error });
        await using var stream = path.Create();
        await JsonSerializer.SerializeAsync(stream, rows, ModelCard.JsonOptions, ct);
    }

    private static OutputFormat ParseFormat(string value) => value switch
    {
        "png" => OutputFormat.Png,
        "jpeg" => OutputFormat.Jpeg,
        "webp" => OutputFormat.Webp,
        _ => OutputFormat.Keep,
    };

    private static MetadataPolicy ParseMetadata(string value) => value switch
    {
        "keep" => MetadataPolicy.KeepAll,
        "strip-all" => MetadataPolicy.StripAll,
        _ => MetadataPolicy.StripPersonal,
    };
}
