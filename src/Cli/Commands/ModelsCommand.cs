using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.ResNetGenerator;

namespace UploadGuard.Cli.Commands;

/// <summary><c>uploadguard models list|verify|create-untrained</c></summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Inspect and manage the model registry.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(CreateUntrained());
        return command;
    }

    private static Command List()
    {
        var models = CommonOptions.ModelsPath();
        var command = new Command("list", "List model versions and mark the active one.") { models };
        command.SetAction(result =>
        {
            var registry = new ModelRegistry(result.GetValue(models)!.FullName);
            return Guard(() =>
            {
                string? active = File.Exists(Path.Combine(registry.Root, ModelRegistry.IndexFileName)) ? registry.ActiveVersion : null;
                // Fits 80 columns with the longest shipped version (34 characters) on one line: architecture, size and
                // digest are `models verify`'s business; what a user must see here is which model claims what, and an
                // untrained one says so in the claim's place (it can claim nothing).
                var table = new Table().AddColumns("Version", "Active", "Protection claimed", "Eps");
                table.Columns[0].NoWrap();
                bool anyUntrained = false;
                foreach (var card in registry.List())
                {
                    anyUntrained |= !card.Trained;
                    table.AddRow(
                        Markup.Escape(card.Version),
                        card.Version == active ? "[green]yes[/]" : "",
                        !card.Trained ? "[yellow]untrained[/]" : card.Claim is { } claim ? $"measured at {claim.Epsilon}+" : ModelCard.NoneClaimedText,
                        card.Epsilon.ToString(CultureInfo.InvariantCulture));
                }
                AnsiConsole.Write(table);
                if (anyUntrained)
                    AnsiConsole.MarkupLine($"[yellow]Untrained models: {ModelCard.UntrainedWarning}.[/]");
                AnsiConsole.MarkupLine("Eps: the epsilon it was made for. A claim's scope: its model card (claim).");
            });
        });
        return command;
    }

    private static Command Verify()
    {
        var models = CommonOptions.ModelsPath();
        var version = new Argument<string?>("version") { Description = "Version to verify (default: every version).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("verify", "Check weights against their SHA-256 and architecture by loading them.") { version, models };
        command.SetAction(result =>
        {
            var registry = new ModelRegistry(result.GetValue(models)!.FullName);
            return Guard(() =>
            {
                var versions = result.GetValue(version) is { } one ? [one] : registry.List().Select(c => c.Version).ToList();
                foreach (var v in versions)
                {
                    using var model = registry.Load(v, CPU);
                    AnsiConsole.MarkupLineInterpolated($"[green]ok[/] {v} ({model.Card.Weights.Sha256})");
                }
            });
        });
        return command;
    }

    private static Command CreateUntrained()
    {
        var models = CommonOptions.ModelsPath();
        var version = new Argument<string>("version") { Description = "New version name." };
        var seed = new Option<long>("--seed") { Description = "Seed for the random initialisation.", DefaultValueFactory = _ => 1 };
        var workingSize = new Option<int>("--working-size") { Description = "Working resolution in pixels (multiple of 4).", DefaultValueFactory = _ => 224 };
        var activate = new Option<bool>("--activate") { Description = "Make it the active version." };
        var command = new Command("create-untrained",
            "Write a randomly initialised generator marked \"trained\": false. It perturbs images but protects nothing: a placeholder and a test fixture.")
        {
            version, seed, workingSize, activate, models,
        };
        command.SetAction(result =>
        {
            var registry = new ModelRegistry(result.GetValue(models)!.FullName);
            return Guard(() =>
            {
                random.manual_seed(result.GetValue(seed));
                using var generator = new PerturbationGenerator(ResNetGeneratorFamily.Instance.Architecture);
                var card = registry.Save(new ModelCard
                {
                    Version = result.GetValue(version)!,
                    Trained = false,
                    Architecture = generator.Architecture,
                    Parameters = generator.ParameterCount,
                    WorkingSize = result.GetValue(workingSize),
                    Epsilon = 8,
                    Weights = new ModelWeightsFile("generator.safetensors", "safetensors", ""),
                    TrainingData = "none: random initialisation",
                    TrainingSteps = 0,
                    Created = DateTimeOffset.UtcNow,
                    Notes = $"Placeholder with random weights (seed {result.GetValue(seed)}). {ModelCard.UntrainedWarning}.",
                }, generator);
                if (result.GetValue(activate))
                    registry.SetActive(card.Version);
                AnsiConsole.MarkupLineInterpolated($"Created {card.Version} ({card.Parameters:N0} parameters, sha256 {card.Weights.Sha256}).");
            });
        });
        return command;
    }

    private static int Guard(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception ex) when (ex is ModelIntegrityException or InvalidOperationException or IOException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 1;
        }
    }
}
