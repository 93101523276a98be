using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Cli.Commands;

/// <summary>
/// A <see cref="RetrainWork"/> with its defaults filled in: what the worker runs, and what its <c>started</c> event
/// reports, so the gateway learns the trainer's defaults without carrying the trainer.
/// </summary>
internal sealed record RetrainSettings
{
    public required string DataSource { get; init; }

    public required string ModelsPath { get; init; }

    public string? CheckpointDirectory { get; init; }

    public required int CheckpointInterval { get; init; }

    public required long Steps { get; init; }

    public required int BatchSize { get; init; }

    public required int ImageSize { get; init; }

    public required string Architecture { get; init; }

    public required int ProxySize { get; init; }

    public required int MinProxySize { get; init; }

    public required double LearningRate { get; init; }

    public required int PseudoOwners { get; init; }

    public required int EpisodeSteps { get; init; }

    public required double ProxyLearningRate { get; init; }

    public required double Gray { get; init; }

    public required double GrayEpisodes { get; init; }

    public required double DistinctKeys { get; init; }

    public required double HardOwners { get; init; }

    public required double EpisodeWarmUp { get; init; }

    public required bool AttackerPerEpisode { get; init; }

    public required bool KeepStandIns { get; init; }

    public required bool FreshBesideKept { get; init; }

    public required double ReadableEpisodes { get; init; }

    /// <summary>By name, as <c>uploadguard train --stand-ins</c> takes them.</summary>
    public required IReadOnlyList<string> StandIns { get; init; }

    public required double Jpeg { get; init; }

    public required double Halving { get; init; }

    public required double CurriculumFraction { get; init; }

    public required double LoudViews { get; init; }

    public required double LoudAtomGradient { get; init; }

    public required int Epsilon { get; init; }

    public required int Seed { get; init; }

    /// <summary>Null: every photo.</summary>
    public int? MaxImages { get; init; }

    /// <summary>Null: the trainer names it (<c>gen-&lt;UTC time&gt;</c>).</summary>
    public string? Version { get; init; }

    public required string Device { get; init; }

    public required int GateSampleSize { get; init; }

    public required double GateMinimumPsnr { get; init; }

    public GeneratorTrainingOptions ToTrainingOptions() => new()
    {
        DataSource = DataSource,
        ModelsPath = ModelsPath,
        CheckpointDirectory = CheckpointDirectory,
        CheckpointInterval = CheckpointInterval,
        Steps = Steps,
        BatchSize = BatchSize,
        ImageSize = ImageSize,
        Architecture = GeneratorCatalog.FromTrainingName(Architecture).Architecture,
        ProxySize = ProxySize,
        MinProxySize = MinProxySize,
        LearningRate = LearningRate,
        PseudoOwners = PseudoOwners,
        EpisodeSteps = EpisodeSteps,
        ProxyLearningRate = ProxyLearningRate,
        GrayProbability = Gray,
        GrayEpisodeProbability = GrayEpisodes,
        KeyDistinctnessWeight = DistinctKeys,
        HardOwnerEmphasis = HardOwners,
        EpisodeWarmUp = EpisodeWarmUp,
        AttackerPerEpisode = AttackerPerEpisode,
        KeepStandIns = KeepStandIns,
        FreshStandInBesideKept = FreshBesideKept,
        ReadableEpisodeProbability = ReadableEpisodes,
        StandInVictims = [.. StandIns.Select(VictimArchitectures.Parse)],
        JpegProbability = Jpeg,
        HalvingProbability = Halving,
        CurriculumFraction = CurriculumFraction,
        LoudViewProbability = LoudViews,
        LoudViewAtomGradient = LoudAtomGradient,
        Epsilon = Epsilon,
        Seed = Seed,
        MaxImages = MaxImages,
        Version = Version,
        Device = Device,
    };
}
