using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Bench.Pgd;

/// <summary>
/// The per-image PGD peer baseline (issue #6, item 3).
/// <code>
/// pgd-baseline time --data &lt;folder|archive&gt; [--subset P] [--max-images N] [--batch 1] [--repeat 1] [--engine-repeat 3]
///     [--models DIR] [--model VERSION] [--out FILE.md] + PGD options
/// pgd-baseline protect-dataset --data &lt;folder|archive&gt; --train-subset P --test-subset P --out DIR [--per-class N] [--size 32]
///     [--batch 32] [--overwrite] + PGD options
/// PGD options: [--objective shortcut|misdirection] [--away-weight 1] [--steps 10] [--epsilon 8] [--step-size 2]
///     [--perturbation-size N|native] [--surrogate-size N|native] [--k 10] [--temperature 0.1] [--zero-start] [--seed 1]
///     [--crafting-epochs N [--crafting-size N]] (protect-dataset only: PGD against a ResNet-20 trained on the concepts)
///     [--crafting-model VERSION [--models DIR]] (protect-dataset only: PGD against a concept-poison model's crafting network)
/// </code>
/// Exit codes: 0 done, 1 failed, 2 bad usage.
/// </summary>
public static class PgdBaselineMain
{
    public static async Task<int> Main(string[] args)
    {
        NativeAllocator.KeepFreedMemory();   // as uploadguard does, so the figures are the CLI's
        var arguments = new BenchArguments(args);
        try
        {
            string surrogate = arguments.Value("--surrogate-size", "native");
            string grid = arguments.Value("--perturbation-size", "native");
            var settings = new PgdSettings
            {
                Objective = arguments.Value("--objective", "shortcut") switch
                {
                    "shortcut" => GeneratorLossKind.Shortcut,
                    "misdirection" => GeneratorLossKind.Misdirection,
                    var other => throw new ArgumentException($"--objective must be shortcut or misdirection, not '{other}'."),
                },
                AwayWeight = arguments.Number("--away-weight", 1.0),
                PerturbationSize = grid == "native" ? null : int.Parse(grid, System.Globalization.CultureInfo.InvariantCulture),
                CraftingEpochs = arguments.OptionalWholeNumber("--crafting-epochs"),
                CraftingSize = arguments.OptionalWholeNumber("--crafting-size"),
                CraftingModel = arguments.Optional("--crafting-model"),
                Steps = arguments.WholeNumber("--steps", 10),
                Epsilon = arguments.WholeNumber("--epsilon", 8),
                StepSize = arguments.Number("--step-size", 2),
                SurrogateSize = surrogate == "native" ? null : int.Parse(surrogate, System.Globalization.CultureInfo.InvariantCulture),
                K = arguments.WholeNumber("--k", 10),
                Temperature = arguments.Number("--temperature", 0.1),
                RandomStart = !arguments.Flag("--zero-start"),
                Seed = arguments.WholeNumber("--seed", 1),
            };
            settings.Validate();
            string data = arguments.Optional("--data") ?? throw new ArgumentException("--data <folder|archive> is required.");
            switch (arguments.Mode)
            {
                case "time":
                    {
                        var run = new PgdTimingRun(settings, arguments.Value("--models", EngineOptions.DefaultModelsPath), arguments.Optional("--model"),
                            arguments.WholeNumber("--batch", 1), arguments.WholeNumber("--repeat", 1), arguments.WholeNumber("--engine-repeat", 3));
                        string? subset = arguments.Optional("--subset");
                        int? limit = arguments.OptionalWholeNumber("--max-images");
                        string? output = arguments.Optional("--out");
                        arguments.ThrowIfUnknown();
                        var markdown = await run.RunAsync(data, subset, limit, Console.Error.WriteLine);
                        Console.WriteLine(markdown);
                        if (output is not null)
                            await File.WriteAllTextAsync(output, markdown);
                        return 0;
                    }
                case "protect-dataset":
                    {
                        var writer = new PgdDatasetWriter(settings, arguments.WholeNumber("--batch", 32), arguments.Value("--models", EngineOptions.DefaultModelsPath));
                        string trainSubset = arguments.Optional("--train-subset") ?? throw new ArgumentException("--train-subset is required.");
                        string testSubset = arguments.Optional("--test-subset") ?? throw new ArgumentException("--test-subset is required.");
                        string output = arguments.Optional("--out") ?? throw new ArgumentException("--out <folder> is required.");
                        int size = arguments.WholeNumber("--size", 32);
                        int? perClass = arguments.OptionalWholeNumber("--per-class");
                        bool overwrite = arguments.Flag("--overwrite");
                        arguments.ThrowIfUnknown();
                        Console.WriteLine(writer.Run(data, trainSubset, testSubset, size, perClass, output, overwrite, Console.Error.WriteLine));
                        return 0;
                    }
                default:
                    throw new ArgumentException("The first word must be 'time' or 'protect-dataset'.");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync($"pgd-baseline: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException)
        {
            await Console.Error.WriteLineAsync($"pgd-baseline: {ex.Message}");
            return 1;
        }
    }
}
