using System.Text.Json;
using System.Text.Json.Serialization;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Cli.Commands;

/// <summary>
/// The work file of <c>uploadguard retrain</c>: the admin API's hyper-parameters, where a missing or null one means
/// <see cref="GeneratorTrainingOptions"/>' default (so the gateway, which no longer carries the trainer, cannot drift
/// from it), and where the worker reads, writes and checkpoints.
/// </summary>
internal sealed record RetrainWork : TrainingHyperParameters
{
    /// <summary>The gateway's gate figures, for a work file that leaves them out (an operator's run).</summary>
    public const int DefaultGateSampleSize = 64;

    public const double DefaultGateMinimumPsnr = 30;

    // Strict: a misspelt field would otherwise train silently with the default.
    private static readonly JsonSerializerOptions Json = new(ModelCard.JsonOptions) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Required: the photos, a folder or a .tar / .tar.gz archive.</summary>
    public string? DataSource { get; init; }

    /// <summary>Default: the registry shipped beside the CLI, as for <c>uploadguard train</c>.</summary>
    public string? ModelsPath { get; init; }

    /// <summary>Default: no checkpoints, so a cancelled run cannot resume.</summary>
    public string? CheckpointDirectory { get; init; }

    public int? CheckpointInterval { get; init; }

    public string? Device { get; init; }

    public int? GateSampleSize { get; init; }

    public double? GateMinimumPsnr { get; init; }

    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="JsonException">It is not a JSON object of these fields.</exception>
    public static RetrainWork Read(string path) =>
        JsonSerializer.Deserialize<RetrainWork>(File.ReadAllBytes(path), Json)
            ?? throw new JsonException($"'{path}' holds null, not a work object.");

    /// <summary>The defaults filled in and every value checked.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    public RetrainSettings Resolve()
    {
        var defaults = new GeneratorTrainingOptions { DataSource = "", ModelsPath = "" };
        // At this job's stand-in size, so that the smallest stand-in size defaults to half of that size.
        defaults = defaults with { ProxySize = ProxySize ?? defaults.ProxySize };
        if (string.IsNullOrWhiteSpace(DataSource))
            throw new ArgumentException("dataSource is required: the folder or .tar / .tar.gz archive of photos to train on.");
        if (Architecture is not null && !GeneratorCatalog.TrainingNames.Contains(Architecture))
            throw new ArgumentException($"architecture must be one of {string.Join(", ", GeneratorCatalog.TrainingNames)}, not '{Architecture}'.");
        var settings = new RetrainSettings
        {
            DataSource = Path.GetFullPath(DataSource),
            ModelsPath = Path.GetFullPath(ModelsPath ?? EngineOptions.DefaultModelsPath),
            CheckpointDirectory = CheckpointDirectory is null ? null : Path.GetFullPath(CheckpointDirectory),
            CheckpointInterval = CheckpointInterval ?? defaults.CheckpointInterval,
            Steps = Steps ?? defaults.Steps,
            BatchSize = BatchSize ?? defaults.BatchSize,
            ImageSize = ImageSize ?? defaults.ImageSize,
            Architecture = Architecture ?? defaults.Architecture.Family!.TrainingName!,
            ProxySize = defaults.ProxySize,
            MinProxySize = MinProxySize ?? defaults.SmallestProxySize,
            LearningRate = LearningRate ?? defaults.LearningRate,
            PseudoOwners = PseudoOwners ?? defaults.PseudoOwners,
            EpisodeSteps = EpisodeSteps ?? defaults.EpisodeSteps,
            ProxyLearningRate = ProxyLearningRate ?? defaults.ProxyLearningRate,
            Gray = Gray ?? defaults.GrayProbability,
            GrayEpisodes = GrayEpisodes ?? defaults.GrayEpisodeProbability,
            DistinctKeys = DistinctKeys ?? defaults.KeyDistinctnessWeight,
            HardOwners = HardOwners ?? defaults.HardOwnerEmphasis,
            EpisodeWarmUp = EpisodeWarmUp ?? defaults.EpisodeWarmUp,
            AttackerPerEpisode = AttackerPerEpisode ?? defaults.AttackerPerEpisode,
            KeepStandIns = KeepStandIns ?? defaults.KeepStandIns,
            FreshBesideKept = FreshBesideKept ?? defaults.FreshStandInBesideKept,
            ReadableEpisodes = ReadableEpisodes ?? defaults.ReadableEpisodeProbability,
            StandIns = StandIns ?? [.. defaults.StandInVictims.Select(VictimArchitectures.Name)],
            Jpeg = Jpeg ?? defaults.JpegProbability,
            Halving = Halving ?? defaults.HalvingProbability,
            CurriculumFraction = CurriculumFraction ?? defaults.CurriculumFraction,
            LoudViews = LoudViews ?? defaults.LoudViewProbability,
            LoudAtomGradient = LoudAtomGradient ?? defaults.LoudViewAtomGradient,
            Epsilon = Epsilon ?? defaults.Epsilon,
            Seed = Seed ?? defaults.Seed,
            MaxImages = MaxImages ?? defaults.MaxImages,
            Version = Version ?? defaults.Version,
            Device = Device ?? defaults.Device,
            GateSampleSize = GateSampleSize ?? DefaultGateSampleSize,
            GateMinimumPsnr = GateMinimumPsnr ?? DefaultGateMinimumPsnr,
        };
        if (settings.GateSampleSize < 1)
            throw new ArgumentException("gateSampleSize must be at least 1.");
        if (double.IsNaN(settings.GateMinimumPsnr))
            throw new ArgumentException("gateMinimumPsnr must be a number of decibels.");
        settings.ToTrainingOptions().Validate();
        return settings;
    }
}
