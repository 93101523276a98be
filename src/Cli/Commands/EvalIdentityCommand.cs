using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Evaluation.Identity;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Cli.Commands;

/// <summary><c>uploadguard eval identity --data &lt;person folders&gt; ...</c>: the owner-keyed protection benchmark.</summary>
internal static class EvalIdentityCommand
{
    private const string NoModel = "none";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Photos in one folder per person: a folder or .tar / .tar.gz archive (e.g. LFW).", Required = true };
        var minPhotos = new Option<int>("--min-photos") { Description = "People with fewer photos are left out.", DefaultValueFactory = _ => 50 };
        var maxPhotos = new Option<int>("--max-photos") { Description = "At most this many photos a person (first by file name).", DefaultValueFactory = _ => 150 };
        var owners = new Option<int>("--owners") { Description = "People whose training photos are protected (drawn with the seed).", DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { Description = "Side the victims see the face crops at.", DefaultValueFactory = _ => 64 };
        var faceBox = new Option<int>("--face-box") { Description = "Side of the attacker's face box in the photo (jittered per photo).", DefaultValueFactory = _ => 128 };
        var photoSize = new Option<int>("--photo-size") { Description = "Side the photos are held and protected at.", DefaultValueFactory = _ => 250 };
        var model = new Option<string?>("--model") { Description = "Model version that protects the owners' photos, or none (default: the registry's active version)." };
        var models = CommonOptions.ModelsPath();
        var arch = new Option<string>("--arch") { Description = "Victims, comma-separated: resnet20, vgg, mobilenetv2, linear-probe.", DefaultValueFactory = _ => "resnet20" };
        var rows = new Option<string?>("--rows") { Description = $"Training sets, comma-separated: {string.Join(",", IdentityRows.All.Select(r => r.Name))} (default clean,protected; without a model clean)." };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per victim.", DefaultValueFactory = _ => 15 };
        var batch = new Option<int>("--batch") { Description = "Victim batch size.", DefaultValueFactory = _ => 128 };
        var epsilon = new Option<int>("--epsilon", "-e") { Description = "L-infinity budget in 8-bit levels.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seeds the owners, the crops and the victims.", DefaultValueFactory = _ => 1 };
        var keySeed = new Option<int?>("--key-seed") { Description = "Seeds the owners' key secret apart from --seed: the same owners, crops and victims under other keys (default: --seed)." };
        var victimSeeds = new Option<int>("--victim-seeds") { Description = "Victims trained per row and victim, each from its own initialisation (seed, then seed + 1000, + 2000, ...): how much one run's figures move.", DefaultValueFactory = _ => 1 };
        var firstVictim = new Option<int>("--first-victim") { Description = "Start at this victim (1-based) with the seed it has in a longer run: add victims to a run already measured without training its first ones again.", DefaultValueFactory = _ => 1 };
        var protectFormat = new Option<string>("--protect-format") { Description = "How the engine encodes protected photos: jpeg (the engine's JPEG output: quality 100, 4:4:4, re-projected, as for a JPEG upload) or png.", DefaultValueFactory = _ => "jpeg" };
        protectFormat.AcceptOnlyFromAmong("jpeg", "png");
        var device = CommonOptions.Device();
        var output = new Option<FileInfo?>("--out") { Description = "Write the full results as JSON." };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Write the results as Markdown, headed by this command." };

        var command = new Command("identity", "Measure owner-keyed protection: identity classifiers trained from scratch on face crops, the owners' photos protected with their keys.")
        {
            data, minPhotos, maxPhotos, owners, size, faceBox, photoSize, model, models, arch, rows, epochs, batch, epsilon, seed, keySeed, victimSeeds, firstVictim, protectFormat, device, output, markdown,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (Console.IsOutputRedirected)
                AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
            string source = parsed.GetValue(data)!;
            if (!File.Exists(source) && !Directory.Exists(source))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] the identity data '{source}' does not exist (give a folder or a .tar / .tar.gz archive of person folders).");
                return 2;
            }
            IdentityBenchmarkOptions options;
            try
            {
                string modelsPath = parsed.GetValue(models)!.FullName;
                string? version = parsed.GetValue(model) switch
                {
                    NoModel => null,
                    null => new ModelRegistry(modelsPath).ActiveVersion,
                    var v => v,
                };
                var victims = CommonOptions.CommaList(parsed.GetValue(arch)!);
                options = new IdentityBenchmarkOptions
                {
                    DataSource = source,
                    MinPhotos = parsed.GetValue(minPhotos),
                    MaxPhotos = parsed.GetValue(maxPhotos),
                    Owners = parsed.GetValue(owners),
                    VictimSize = parsed.GetValue(size),
                    FaceBox = parsed.GetValue(faceBox),
                    PhotoSize = parsed.GetValue(photoSize),
                    ModelVersion = version,
                    ModelsPath = modelsPath,
                    Architectures = victims.Where(v => v != SurrogateLinearProbe.Name).Select(VictimArchitectures.Parse).Distinct().ToList(),
                    LinearProbe = victims.Contains(SurrogateLinearProbe.Name),
                    Rows = parsed.GetValue(rows) is { } list
                        ? CommonOptions.CommaList(list).Select(IdentityRows.Parse).Distinct().ToList()
                        : version is null ? [IdentityRows.Clean] : [IdentityRows.Clean, IdentityRows.Protected],
                    Recipe = new VictimRecipe { Epochs = parsed.GetValue(epochs), BatchSize = parsed.GetValue(batch) },
                    Epsilon = parsed.GetValue(epsilon),
                    Seed = parsed.GetValue(seed),
                    KeySeed = parsed.GetValue(keySeed),
                    VictimSeeds = parsed.GetValue(victimSeeds),
                    FirstVictim = parsed.GetValue(firstVictim),
                    ProtectFormat = parsed.GetValue(protectFormat) == "png" ? OutputFormat.Png : OutputFormat.Jpeg,
                    Device = parsed.GetValue(device)!,
                };
                options.Validate();
            }
            catch (Exception ex) when (ex is ArgumentException or ModelIntegrityException)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
                return 2;
            }

            IdentityResult result;
            try
            {
                result = await IdentityBenchmark.RunAsync(options, new EvalCommand.LineProgress(), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                AnsiConsole.MarkupLine("[yellow]cancelled[/]; nothing was written.");
                return 130;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ModelIntegrityException or IOException or UnauthorizedAccessException or ImageRejectedException)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
                return 1;
            }

            var table = new Table().Title($"Identity accuracy on {result.TestImages:N0} clean test photos of {result.People.Count} people (owners: {string.Join(", ", result.Owners)})");
            table.AddColumn("Training set").AddColumn("Victim").AddColumn(new TableColumn("Victim seed").RightAligned()).AddColumn(new TableColumn("Owners").RightAligned()).AddColumn(new TableColumn("Others").RightAligned())
                .AddColumn(new TableColumn("All").RightAligned()).AddColumn("Note");
            foreach (var run in result.Runs)
                table.AddRow(Markup.Escape(run.Row), Markup.Escape(run.Architecture), run.VictimSeed.ToString(CultureInfo.InvariantCulture), Percent(run.OwnersAccuracy), Percent(run.OthersAccuracy), Percent(run.AllAccuracy),
                    run.Note is null ? "" : $"[yellow]{Markup.Escape(run.Note)}[/]");
            AnsiConsole.Write(table);
            if (parsed.GetValue(output) is { } json)
            {
                await File.WriteAllTextAsync(json.FullName, JsonSerializer.Serialize(result, ModelCard.JsonOptions), CancellationToken.None);
                AnsiConsole.MarkupLineInterpolated($"Results written to {json.FullName}");
            }
            if (parsed.GetValue(markdown) is { } md)
            {
                await File.WriteAllTextAsync(md.FullName, IdentityMarkdown.Write(result, EvalCommand.CommandLine(Environment.GetCommandLineArgs())), CancellationToken.None);
                AnsiConsole.MarkupLineInterpolated($"Markdown written to {md.FullName}");
            }
            return 0;
        });
        return command;
    }

    private static string Percent(double fraction) => double.IsNaN(fraction) ? "-" : (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
