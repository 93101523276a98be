using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Networks;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// The front door of training: reads the photos (<see cref="ImageDatasetLoader"/>, labels never used), checks the run
/// against its checkpoints, fits the owner-keyed generator (<see cref="OwnerTextureTrainer"/>) and saves it as a new
/// registry version whose card says honestly whether it was trained for real.
/// </summary>
/// <remarks>
/// The label-agnostic families (a ResNet generator against k-means concepts, surrogate hashes, concept poisons) were
/// retired after their shipped models measured no protection; docs/evaluation.md keeps their tables, and commit
/// ebc26d6 is the last with their code.
/// </remarks>
public static class GeneratorTrainer
{
    /// <summary>
    /// Runs training on a dedicated thread. Cancelling stops between steps, writes a checkpoint of the last completed step
    /// (when a checkpoint folder is set) and throws <see cref="OperationCanceledException"/>; nothing is written to the
    /// registry then.
    /// </summary>
    /// <exception cref="FileNotFoundException">The data source does not exist.</exception>
    /// <exception cref="InvalidOperationException">Too few usable photos, the version exists, checkpoints of another run, or the loss diverged.</exception>
    public static Task<TrainingResult> TrainAsync(GeneratorTrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // A long CPU-bound run: its own thread, not a thread-pool worker held for hours.
        return Task.Factory.StartNew(() => Train(options, progress, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static TrainingResult Train(GeneratorTrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var registry = new ModelRegistry(options.ModelsPath);
        string version = options.Version ?? $"gen-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        // Checked now, not after hours of training.
        if (Directory.Exists(Path.Combine(registry.Root, version)))
            throw new InvalidOperationException($"Model version '{version}' already exists in '{registry.Root}'; choose another version.");

        Report(progress, TrainingPhase.LoadingData, 0, 0, $"Reading {options.DataSource}");
        var dataset = ImageDatasetLoader.Load(
            new ImageDatasetOptions
            {
                Source = options.DataSource,
                Subset = options.Subset,
                MaxImages = options.MaxImages,
                ExcludePrefixes = options.ExcludePrefixes,
                Sampling = options.Sampling,
                Seed = options.Seed,
                ImageSize = options.ImageSize,
            },
            progress is null ? null : new InlineProgress<DatasetLoadStatistics>(s => Report(progress, TrainingPhase.LoadingData, s.FilesInSubset, 0,
                $"{s.Kept:N0} images kept, {s.Skipped:N0} skipped")),
            cancellationToken);
        if (dataset.Count < MinimumImages)
        {
            throw new InvalidOperationException(
                $"{dataset.Description} gave {dataset.Count} usable image(s) ({dataset.Statistics.SkippedNotImages} non-image and "
                + $"{dataset.Statistics.SkippedUndecodable} undecodable file(s) skipped); at least {MinimumImages} are needed.");
        }

        return OwnerTextureTrainer.Fit(options, dataset, Fingerprint(options, dataset), registry, version, progress, clock, cancellationToken);
    }

    /// <summary>Photos a run needs at all (a smoke run; a trained model needs <see cref="GeneratorTrainingOptions.MinimumImagesForTrained"/>).</summary>
    public const int MinimumImages = 2;

    /// <summary>Saves a fitted generator as a new version with its card (and activates it when asked).</summary>
    internal static TrainingResult SaveFitted(GeneratorTrainingOptions options, ImageDataset dataset, ModelRegistry registry, string version, GeneratorModule generator,
        bool trained, long steps, string notes, IReadOnlyDictionary<string, double> terms, IProgress<TrainingProgress>? progress, Stopwatch clock,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Report(progress, TrainingPhase.Saving, steps, steps, $"Saving version {version}");
        var card = registry.Save(new ModelCard
        {
            Version = version,
            Trained = trained,
            Architecture = generator.Architecture,
            Parameters = generator.ParameterCount,
            WorkingSize = options.ImageSize,
            Epsilon = options.Epsilon,
            Weights = new ModelWeightsFile("generator.safetensors", "safetensors", ""),
            TrainingData = string.Create(CultureInfo.InvariantCulture,
                $"{dataset.Description}: {dataset.Count:N0} images at {options.ImageSize} px; {dataset.Statistics.Skipped:N0} file(s) skipped; labels not used"),
            TrainingSteps = steps,
            Created = DateTimeOffset.UtcNow,
            Notes = notes,
        }, generator);
        if (options.Activate)
            registry.SetActive(card.Version);
        Report(progress, TrainingPhase.Completed, steps, steps, $"Saved {card.Version}");
        return new TrainingResult(card, dataset.Statistics, 0, steps, terms, clock.Elapsed, null);
    }

    /// <summary>
    /// Identifies a run: the photos (paths and pixels) and every setting that changes the optimisation, but not the
    /// step count, so that a finished run can be extended with more steps.
    /// </summary>
    private static string Fingerprint(GeneratorTrainingOptions options, ImageDataset dataset)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var settings = new
        {
            options.ImageSize,
            options.Epsilon,
            options.BatchSize,
            options.LearningRate,
            options.Seed,
            options.Architecture,
            options.GrayProbability,
            options.GrayEpisodeProbability,
            options.JpegProbability,
            options.ProxySize,
            options.ProxyLearningRate,
            options.PseudoOwners,
            options.EpisodeSteps,
            StandInVictims = options.StandInVictims.Select(VictimArchitectures.Name).ToArray(),
        };
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(settings, ModelCard.JsonOptions));
        // Each only when on, so that checkpoints of runs from before it existed still resume.
        if (options.KeyDistinctnessWeight > 0)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.KeyDistinctnessWeight }, ModelCard.JsonOptions));
        if (options.HardOwnerEmphasis > 0)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.HardOwnerEmphasis }, ModelCard.JsonOptions));
        if (options.AttackerPerEpisode)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.AttackerPerEpisode }, ModelCard.JsonOptions));
        if (options.ReadableEpisodeProbability > 0)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.ReadableEpisodeProbability }, ModelCard.JsonOptions));
        if (options.KeepStandIns)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.KeepStandIns }, ModelCard.JsonOptions));
        if (options.FreshStandInBesideKept)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.FreshStandInBesideKept }, ModelCard.JsonOptions));
        if (options.EpisodeWarmUp > 1)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.EpisodeWarmUp }, ModelCard.JsonOptions));
        if (options.HalvingProbability != GeneratorTrainingOptions.DefaultHalvingProbability)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.HalvingProbability }, ModelCard.JsonOptions));
        if (options.LoudViewProbability > 0)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.LoudViewProbability }, ModelCard.JsonOptions));
        if (options.LoudViewAtomGradient < 1)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.LoudViewAtomGradient }, ModelCard.JsonOptions));
        if (options.CurriculumFraction != GeneratorTrainingOptions.DefaultCurriculumFraction)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.CurriculumFraction }, ModelCard.JsonOptions));
        // Only when drawn, so that checkpoints of one-size runs (every run before the option) still resume.
        if (options.DrawsProxySize)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { MinProxySize = options.SmallestProxySize }, ModelCard.JsonOptions));
        for (int i = 0; i < dataset.Count; i++)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(dataset.Paths[i] + "\n"));
            hash.AppendData(dataset.Pixels(i).Span);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Report(IProgress<TrainingProgress>? progress, TrainingPhase phase, long step, long total, string? message,
        IReadOnlyDictionary<string, double>? terms = null) =>
        progress?.Report(new TrainingProgress(phase, step, total, terms ?? new Dictionary<string, double>(), 0, null, message));
}
