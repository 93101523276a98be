namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// What a training run of a generator family is asked for, as the admin retraining API takes it and as the gateway hands
/// it to the retraining worker (<c>uploadguard retrain --work</c>). Null means the trainer's default: the trainer alone
/// knows it, and the gateway, which carries no trainer, passes the gap on.
/// </summary>
/// <remarks>It lives in the runtime because both sides of the worker's process boundary reference the runtime and nothing else in common.</remarks>
public record TrainingHyperParameters
{
    /// <summary>
    /// The stand-in victims the trainer can build, by the names <c>uploadguard train --stand-ins</c> takes (the trainer's
    /// VictimArchitectures; a test keeps the two lists equal), so that the gateway can refuse an unknown one up front.
    /// </summary>
    public static IReadOnlyList<string> StandInNames { get; } = ["resnet20", "vgg", "mobilenetv2"];

    public long? Steps { get; init; }

    public int? BatchSize { get; init; }

    public int? ImageSize { get; init; }

    /// <summary>One of <see cref="GeneratorCatalog.TrainingNames"/>, as <c>uploadguard train --architecture</c> takes it.</summary>
    public string? Architecture { get; init; }

    /// <summary>The size the stand-in victims see the attacker's crops at.</summary>
    public int? ProxySize { get; init; }

    /// <summary>Each step's stand-in victim sees its views at a size drawn from this to the proxy size (default: half the proxy size; the proxy size itself: one size).</summary>
    public int? MinProxySize { get; init; }

    public double? LearningRate { get; init; }

    /// <summary>Pseudo-owners with random keys per episode.</summary>
    public int? PseudoOwners { get; init; }

    /// <summary>Steps before a new stand-in victim and new keys.</summary>
    public int? EpisodeSteps { get; init; }

    /// <summary>The stand-in victims' SGD learning rate.</summary>
    public double? ProxyLearningRate { get; init; }

    /// <summary>Probability that the stand-in victim's view of a photo is grey.</summary>
    public double? Gray { get; init; }

    /// <summary>Probability that an episode's stand-in victim sees every photo grey.</summary>
    public double? GrayEpisodes { get; init; }

    /// <summary>Weight of the key-distinctness term (0: off).</summary>
    public double? DistinctKeys { get; init; }

    /// <summary>Power of the emphasis on the pseudo-owners the stand-in reads worst (0: off).</summary>
    public double? HardOwners { get; init; }

    /// <summary>Times epsilon each episode's fresh stand-in first sees the texture at, falling to epsilon (1: off).</summary>
    public double? EpisodeWarmUp { get; init; }

    /// <summary>Draw the attacker's view pipeline once per episode instead of every step.</summary>
    public bool? AttackerPerEpisode { get; init; }

    /// <summary>Keep each episode's stand-in for the next, drawing only its classifier afresh (one stand-in architecture).</summary>
    public bool? KeepStandIns { get; init; }

    /// <summary>With kept stand-ins, also train a from-scratch stand-in each episode; the atoms follow the mean of both losses.</summary>
    public bool? FreshBesideKept { get; init; }

    /// <summary>Probability that an episode's stand-in faces one readable attacker (no JPEG, no grey) for the episode.</summary>
    public double? ReadableEpisodes { get; init; }

    /// <summary>Stand-in victim architectures, one per episode in turn; each one of <see cref="StandInNames"/>.</summary>
    public IReadOnlyList<string>? StandIns { get; init; }

    /// <summary>Probability that a batch's views go through JPEG first.</summary>
    public double? Jpeg { get; init; }

    /// <summary>Probability that a batch's views are halved (downscaled by half and back) first.</summary>
    public double? Halving { get; init; }

    /// <summary>The share of the run over which the texture's amplitude falls from three times epsilon to epsilon.</summary>
    public double? CurriculumFraction { get; init; }

    /// <summary>Probability that an owned photo's texture stays at three times epsilon for the whole run.</summary>
    public double? LoudViews { get; init; }

    /// <summary>With loud views, the weight on the loud photos' gradient to the atoms (0: the atoms follow the photos at the budget only).</summary>
    public double? LoudAtomGradient { get; init; }

    public int? Epsilon { get; init; }

    public int? Seed { get; init; }

    /// <summary>Most photos to train on; null: every photo.</summary>
    public int? MaxImages { get; init; }

    public string? Version { get; init; }
}
