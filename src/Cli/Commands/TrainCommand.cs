using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Cli.Commands;

/// <summary><c>uploadguard train --data &lt;folder|archive&gt; ...</c></summary>
internal static class TrainCommand
{
    public const string Name = "train";

    /// <summary>The training defaults, which the admin API's retraining shares.</summary>
    private static readonly GeneratorTrainingOptions Defaults = new() { DataSource = "", ModelsPath = "" };

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Training photos: a folder (recursive) or a .tar / .tar.gz archive. Labels are never used.", Required = true };
        var subset = new Option<string?>("--subset") { Description = "Only paths starting with this inside the source, e.g. imagenette-224/train/." };
        var maxImages = new Option<int?>("--max-images") { Description = "Most photos to keep in memory (a seeded random sample unless --sample first)." };
        var exclude = new Option<string[]>("--exclude") { Description = "Leave out paths starting with these prefixes (repeat or comma-separate), e.g. an identity benchmark's people.", AllowMultipleArgumentsPerToken = true };
        var pseudoOwners = new Option<int>("--pseudo-owners") { Description = "Pseudo-owners with random keys per episode.", DefaultValueFactory = _ => Defaults.PseudoOwners };
        var episodeSteps = new Option<int>("--episode-steps") { Description = "Steps before a new stand-in victim and new keys.", DefaultValueFactory = _ => Defaults.EpisodeSteps };
        var sample = new Option<string>("--sample") { Description = "Which photos a capped load keeps.", DefaultValueFactory = _ => "random" };
        sample.AcceptOnlyFromAmong("random", "first");
        var size = new Option<int>("--size") { Description = "Training resolution and the model's working size (multiple of 4).", DefaultValueFactory = _ => Defaults.ImageSize };
        var architecture = new Option<string>("--architecture")
        {
            Description = "owner-texture (a texture chosen by the owner's key, fitted by min-min against stand-in victims at --proxy-size that learn "
                + "--pseudo-owners random owners), owner-texture-luma (the same with one luminance texture in all three channels), "
                + "owner-texture-dual (atoms with a chroma and a luminance part at equal power), owner-texture-lowpass, -sparse and "
                + "-sparse-lowpass (colour atoms with each texture kept to coarse frequencies, to its 8 strongest frequencies, or both), "
                + "owner-texture-two-gratings, -two-coarse-gratings and -two-wide-gratings (sparse-lowpass with 4 frequencies, within 4, 3 or √5 cycles "
                + "per period), owner-texture-two-coarse-gratings-64 (-two-coarse-gratings with 64 atoms instead of 32, so keys share atoms half as "
                + "often, though it measured worse; docs/training.md).",
            DefaultValueFactory = _ => Defaults.Architecture.Family!.TrainingName!,
        };
        architecture.AcceptOnlyFromAmong([.. GeneratorCatalog.TrainingNames]);
        var proxySize = new Option<int>("--proxy-size")
        {
            Description = "The size the stand-in victims see the attacker's crops at.",
            DefaultValueFactory = _ => Defaults.ProxySize,
        };
        var minProxySize = new Option<int?>("--min-proxy-size")
        {
            Description = "Each step's stand-in victim sees its views at a size drawn from this to --proxy-size (an attacker picks its own size). "
                + "Default: half of --proxy-size, at least 16; --proxy-size itself trains at that size alone (models before 0.10.0).",
        };
        var proxyLr = new Option<double>("--proxy-lr") { Description = "The stand-in victims' SGD learning rate.", DefaultValueFactory = _ => Defaults.ProxyLearningRate };
        var steps = new Option<long>("--steps") { Description = "Total optimiser steps (a resumed run continues up to this).", DefaultValueFactory = _ => Defaults.Steps };
        var batch = new Option<int>("--batch") { Description = "Photos per step.", DefaultValueFactory = _ => Defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "The texture atoms' Adam learning rate.", DefaultValueFactory = _ => Defaults.LearningRate };
        var epsilon = new Option<int>("--epsilon", "-e") { Description = "L-infinity budget in 8-bit levels the texture is fitted at.", DefaultValueFactory = _ => Defaults.Epsilon };
        var seed = new Option<int>("--seed") { Description = "Seeds sampling, the atoms' initialisation, victims, keys, batches and transformations.", DefaultValueFactory = _ => Defaults.Seed };
        var checkpoints = new Option<DirectoryInfo?>("--checkpoints") { Description = "Checkpoint folder; a run resumes from its latest checkpoint." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => Defaults.CheckpointInterval };
        var version = new Option<string?>("--version") { Description = "Name of the new model version (default gen-<UTC time>)." };
        var models = CommonOptions.ModelsPath();
        var activate = new Option<bool>("--activate") { Description = "Make the new version the active one." };
        var device = CommonOptions.Device();
        var gray = new Option<double>("--gray") { Description = "Probability that the stand-in victim's view of a photo is grey.", DefaultValueFactory = _ => Defaults.GrayProbability };
        var grayEpisodes = new Option<double>("--gray-episodes") { Description = "Probability that an episode's stand-in victim sees every photo grey.", DefaultValueFactory = _ => Defaults.GrayEpisodeProbability };
        var distinctKeys = new Option<double>("--distinct-keys")
        {
            Description = "Weight of the key-distinctness term, which keeps random keys' textures apart (0: off).",
            DefaultValueFactory = _ => Defaults.KeyDistinctnessWeight,
        };
        var hardOwners = new Option<double>("--hard-owners")
        {
            Description = "Emphasis on the pseudo-owners the stand-in reads worst: the atoms' gradient per owner goes with its running loss to this power (0: off).",
            DefaultValueFactory = _ => Defaults.HardOwnerEmphasis,
        };
        var episodeWarmUp = new Option<double>("--episode-warm-up")
        {
            Description = "Each episode's fresh stand-in first sees the texture at least this many times epsilon, falling to epsilon over the first half of the episode (1: off).",
            DefaultValueFactory = _ => Defaults.EpisodeWarmUp,
        };
        var attackerPerEpisode = new Option<bool>("--attacker-per-episode")
        {
            Description = "Draw the attacker's view pipeline (size, crop, blur, halving, JPEG) once per episode instead of every step.",
        };
        var keepStandIns = new Option<bool>("--keep-stand-ins")
        {
            Description = "Keep each episode's stand-in victim for the next episode, drawing only its classifier afresh (one stand-in architecture).",
        };
        var freshBesideKept = new Option<bool>("--fresh-beside-kept")
        {
            Description = "With --keep-stand-ins, also train a from-scratch stand-in each episode and move the atoms by the mean of both losses.",
        };
        var readableEpisodes = new Option<double>("--readable-episodes")
        {
            Description = "Probability that an episode's stand-in faces a readable attacker: one pipeline for the episode at the proxy size, without JPEG and grey (0: off).",
            DefaultValueFactory = _ => Defaults.ReadableEpisodeProbability,
        };
        var standIns = new Option<string[]>("--stand-ins")
        {
            Description = $"Stand-in victim architectures, one per episode in turn ({string.Join(", ", VictimArchitectures.All.Select(VictimArchitectures.Name))}; repeat or comma-separate).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [.. Defaults.StandInVictims.Select(VictimArchitectures.Name)],
        };
        var jpeg = new Option<double>("--jpeg") { Description = "Probability that a batch's views go through JPEG (quality 60-95) first.", DefaultValueFactory = _ => Defaults.JpegProbability };
        var halving = new Option<double>("--halving") { Description = "Probability that a batch's views are halved (downscaled by half and back) first.", DefaultValueFactory = _ => Defaults.HalvingProbability };
        var curriculumFraction = new Option<double>("--curriculum-fraction")
        {
            Description = "Share of the run over which the texture's amplitude falls from 3 x epsilon to epsilon (fresh stand-ins read it only while loud).",
            DefaultValueFactory = _ => Defaults.CurriculumFraction,
        };
        var loudViews = new Option<double>("--loud-views")
        {
            Description = "Probability that an owned photo's texture stays at 3 x epsilon all run, so that each fresh stand-in learns it loud and reads the rest at the budget (0: off).",
            DefaultValueFactory = _ => Defaults.LoudViewProbability,
        };
        var loudAtomGradient = new Option<double>("--loud-atom-gradient")
        {
            Description = "With --loud-views, the weight (0-1) on the loud photos' gradient to the atoms; they teach the stand-in in full (0: the atoms follow the photos at the budget only; 1: off).",
            DefaultValueFactory = _ => Defaults.LoudViewAtomGradient,
        };
        var logEvery = new Option<int>("--log-every") { Description = "Also print a plain line every N steps, for log files (0: never).", DefaultValueFactory = _ => 0 };

        var command = new Command(Name, "Train a new owner-keyed generator version on your own photos, without labels.")
        {
            data, subset, exclude, pseudoOwners, episodeSteps, maxImages, sample, size, architecture, proxySize, minProxySize, proxyLr, steps, batch, lr, epsilon, seed, checkpoints, checkpointEvery,
            version, models, activate, device, gray, grayEpisodes, distinctKeys, hardOwners, episodeWarmUp, attackerPerEpisode, keepStandIns, freshBesideKept, readableEpisodes, standIns, jpeg, halving, curriculumFraction, loudViews, loudAtomGradient, logEvery,
        };
        command.SetAction((result, cancellationToken) =>
        {
            IReadOnlyList<VictimArchitecture> standInVictims;
            try
            {
                standInVictims = CommonOptions.CommaList(result.GetValue(standIns)).Select(VictimArchitectures.Parse).ToList();
            }
            catch (ArgumentException ex)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
                return Task.FromResult(2);
            }
            return RunAsync(new GeneratorTrainingOptions
            {
                DataSource = result.GetValue(data)!,
                Subset = result.GetValue(subset),
                MaxImages = result.GetValue(maxImages),
                ExcludePrefixes = CommonOptions.CommaList(result.GetValue(exclude)),
                PseudoOwners = result.GetValue(pseudoOwners),
                EpisodeSteps = result.GetValue(episodeSteps),
                Sampling = result.GetValue(sample) == "first" ? DatasetSampling.First : DatasetSampling.Random,
                ImageSize = result.GetValue(size),
                Architecture = GeneratorCatalog.FromTrainingName(result.GetValue(architecture)!).Architecture,
                ProxySize = result.GetValue(proxySize),
                MinProxySize = result.GetValue(minProxySize),
                ProxyLearningRate = result.GetValue(proxyLr),
                Steps = result.GetValue(steps),
                BatchSize = result.GetValue(batch),
                LearningRate = result.GetValue(lr),
                Epsilon = result.GetValue(epsilon),
                Seed = result.GetValue(seed),
                CheckpointDirectory = result.GetValue(checkpoints)?.FullName,
                CheckpointInterval = result.GetValue(checkpointEvery),
                Version = result.GetValue(version),
                ModelsPath = result.GetValue(models)!.FullName,
                Activate = result.GetValue(activate),
                Device = result.GetValue(device)!,
                GrayProbability = result.GetValue(gray),
                GrayEpisodeProbability = result.GetValue(grayEpisodes),
                KeyDistinctnessWeight = result.GetValue(distinctKeys),
                HardOwnerEmphasis = result.GetValue(hardOwners),
                EpisodeWarmUp = result.GetValue(episodeWarmUp),
                AttackerPerEpisode = result.GetValue(attackerPerEpisode),
                KeepStandIns = result.GetValue(keepStandIns),
                FreshStandInBesideKept = result.GetValue(freshBesideKept),
                ReadableEpisodeProbability = result.GetValue(readableEpisodes),
                JpegProbability = result.GetValue(jpeg),
                HalvingProbability = result.GetValue(halving),
                CurriculumFraction = result.GetValue(curriculumFraction),
                LoudViewProbability = result.GetValue(loudViews),
                LoudViewAtomGradient = result.GetValue(loudAtomGradient),
                StandInVictims = standInVictims,
            }, Math.Max(0, result.GetValue(logEvery)), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(GeneratorTrainingOptions options, int logEvery, CancellationToken cancellationToken)
    {
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);   // log files: one line per step, not wrapped at 80

        if (!File.Exists(options.DataSource) && !Directory.Exists(options.DataSource))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] the training data '{options.DataSource}' does not exist (give a folder or a .tar / .tar.gz archive).");
            return 2;
        }
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }

        TrainingResult? result = null;
        long lastStep = 0;
        try
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var view = new ProgressView(context);
                    var progress = new CallbackProgress(p =>
                    {
                        // Cancelled with a checkpoint folder, the trainer writes the last step it finished.
                        if (p.Phase is TrainingPhase.Checkpointing || (p.Phase is TrainingPhase.Training && p.ImagesPerSecond > 0))
                            lastStep = Math.Max(lastStep, p.Step);
                        view.Show(p);
                        if (logEvery > 0 && p.Phase == TrainingPhase.Training && (p.Message is not null || (p.ImagesPerSecond > 0 && (p.Step % logEvery == 0 || p.Step == p.TotalSteps))))
                            AnsiConsole.MarkupLineInterpolated($"step {p.Step}/{p.TotalSteps}  {FormatTerms(p.LossTerms)}  avg loss {p.SmoothedLoss ?? double.NaN:0.000}  {p.ImagesPerSecond:0.0} img/s  {p.Message}");
                        // A background run's log should say which steps a kill or a crash can resume from.
                        else if (logEvery > 0 && p.Phase is TrainingPhase.Checkpointing or TrainingPhase.Resumed)
                            AnsiConsole.MarkupLineInterpolated($"step {p.Step}/{p.TotalSteps}  {p.Message}");
                    });
                    result = await GeneratorTrainer.TrainAsync(options, progress, cancellationToken);
                    view.Finish();
                });
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine(options.CheckpointDirectory is not null && lastStep > 0
                ? $"[yellow]cancelled[/] after step {lastStep:N0}; the checkpoint is in {Markup.Escape(options.CheckpointDirectory)}: run the same command to resume."
                : "[yellow]cancelled[/]; nothing was saved (give --checkpoints to make runs resumable).");
            return 130;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ModelIntegrityException or IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 1;
        }

        PrintSummary(result!, options);
        return 0;
    }

    private static void PrintSummary(TrainingResult result, GeneratorTrainingOptions options)
    {
        var card = result.Card;
        var table = new Table().Title("Training").AddColumn("Measure").AddColumn("Value");
        table.AddRow("Version", Markup.Escape(card.Version) + (options.Activate ? " [green](active)[/]" : ""));
        table.AddRow("Trained", card.Trained ? "yes (protection not yet measured)" : $"[yellow]no ({ModelCard.UntrainedWarning})[/]");
        table.AddRow("Steps", result.ResumedFromStep > 0
            ? $"{card.TrainingSteps:N0} (resumed from {result.ResumedFromStep:N0})"
            : card.TrainingSteps.ToString("N0"));
        table.AddRow("Photos", $"{result.Dataset.Kept:N0} kept of {result.Dataset.Images:N0}; {result.Dataset.SkippedNotImages:N0} non-image and {result.Dataset.SkippedUndecodable:N0} undecodable file(s) skipped");
        table.AddRow("Architecture", Markup.Escape(card.Architecture.Name));
        if (result.FinalLossTerms.Count > 0)
            table.AddRow("Final loss terms", Markup.Escape(FormatTerms(result.FinalLossTerms)));
        table.AddRow("Time", $"{result.Elapsed.TotalSeconds:N1} s");
        if (result.MeanStepTime is { } step)
            table.AddRow("Step time", $"{step.TotalSeconds:0.00} s ({options.BatchSize / step.TotalSeconds:0.0} images/s, warm-up step excluded)");
        table.AddRow("Registry", Markup.Escape(options.ModelsPath));
        AnsiConsole.Write(table);
    }

    private static string FormatTerms(IReadOnlyDictionary<string, double> terms) =>
        string.Join("  ", terms.Select(t => $"{t.Key} {t.Value.ToString("0.000", CultureInfo.InvariantCulture)}"));

    /// <summary>One progress row per phase; the training row carries the loss terms, throughput and ETA.</summary>
    private sealed class ProgressView(ProgressContext context)
    {
        private ProgressTask? loading;
        private ProgressTask? training;

        public void Show(TrainingProgress p)
        {
            switch (p.Phase)
            {
                case TrainingPhase.LoadingData:
                    loading ??= context.AddTask("Reading photos").IsIndeterminate();
                    loading.Description = Markup.Escape($"Reading photos: {p.Step:N0} files ({p.Message})");
                    break;
                case TrainingPhase.Resumed or TrainingPhase.Training or TrainingPhase.Checkpointing:
                    Complete(loading);
                    // Every training, resume and checkpoint report carries its run's total (--steps, or a fitted model's own).
                    long total = p.TotalSteps;
                    training ??= context.AddTask("Training", maxValue: Math.Max(1, total));
                    training.MaxValue = Math.Max(1, total);
                    training.Value = p.Step;
                    string speed = p.ImagesPerSecond > 0 ? $" · {p.ImagesPerSecond:0.0} img/s" : "";
                    string eta = p.Eta is { } e ? $" · ETA {e:hh\\:mm\\:ss}" : "";
                    string note = p.Phase is TrainingPhase.Checkpointing or TrainingPhase.Resumed || p.ImagesPerSecond == 0 ? $" · {p.Message}" : "";
                    string average = p.SmoothedLoss is { } l ? $" · avg loss {l.ToString("0.000", CultureInfo.InvariantCulture)}" : "";
                    training.Description = Markup.Escape($"Step {p.Step:N0}/{total:N0} · {FormatTerms(p.LossTerms)}{average}{speed}{eta}{note}");
                    break;
                case TrainingPhase.Saving or TrainingPhase.Completed:
                    Complete(training);
                    break;
            }
        }

        public void Finish()
        {
            Complete(loading);
            Complete(training);
        }

        private static void Complete(ProgressTask? task)
        {
            if (task is { IsFinished: false })
            {
                task.IsIndeterminate = false;
                task.Value = task.MaxValue;
                task.StopTask();
            }
        }
    }

    /// <summary>Handles reports on the training thread, in order (Spectre's progress tasks are thread-safe).</summary>
    private sealed class CallbackProgress(Action<TrainingProgress> handler) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => handler(value);
    }
}
