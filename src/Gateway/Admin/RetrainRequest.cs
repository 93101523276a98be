using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Admin;

/// <summary>Hyper-parameters of a retraining job, each one given checked against the gateway's range before anything starts.</summary>
/// <remarks>
/// A field left out (null) means the trainer's default, the one <c>uploadguard train</c> uses, filled in by the worker
/// that trains (it reports the values it ran with in the job's <c>settings</c>): the gateway carries no trainer to know them.
/// </remarks>
public sealed record RetrainRequest : TrainingHyperParameters
{
    /// <summary>
    /// The gateway's own cap on <see cref="MaxImages"/> when the admin gives none (the trainer's is every photo): an upload
    /// may unpack to 200,000 photos, and the worker holds every photo it keeps in memory.
    /// </summary>
    public const int DefaultMaxImages = 5000;

    public RetrainRequest()
    {
        MaxImages = DefaultMaxImages;
    }

    /// <summary>A dataset configured on the server (<c>Admin:Datasets</c>), for a JSON request; an upload brings its own.</summary>
    public string? Dataset { get; init; }

    /// <summary>Activate even when the gate says no.</summary>
    public bool Force { get; init; }

    /// <summary>Problems found, as field name to message (empty when valid).</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        void Check(bool ok, string field, string message)
        {
            if (!ok) errors[field] = [message];
        }
        Check(Steps is null or (>= 1 and <= 200_000), nameof(Steps), "steps must be 1-200,000");
        Check(BatchSize is null or (>= 1 and <= 128), nameof(BatchSize), "batchSize must be 1-128");
        Check(ImageSize is null || (ImageSize is >= 32 and <= 512 && ImageSize % 4 == 0), nameof(ImageSize), "imageSize must be 32-512 and a multiple of 4");
        Check(Architecture is null || GeneratorCatalog.TrainingNames.Contains(Architecture), nameof(Architecture),
            $"architecture must be {string.Join(", ", GeneratorCatalog.TrainingNames)}");
        Check(ProxySize is null || (ProxySize is >= 16 and <= 512 && ProxySize % GeneratorArchitecture.SizeMultiple == 0), nameof(ProxySize),
            $"proxySize must be 16-512 and a multiple of {GeneratorArchitecture.SizeMultiple}");
        Check(MinProxySize is null || (MinProxySize >= 16 && MinProxySize <= (ProxySize ?? 512)), nameof(MinProxySize),
            "minProxySize must be 16 up to proxySize");
        Check(LearningRate is null or (>= 1e-6 and <= 1e-1), nameof(LearningRate), "learningRate must be 1e-6 to 0.1");
        Check(PseudoOwners is null or (>= 1 and <= 1000), nameof(PseudoOwners), "pseudoOwners must be 1-1,000");
        Check(EpisodeSteps is null or (>= 1 and <= 200_000), nameof(EpisodeSteps), "episodeSteps must be 1-200,000");
        Check(ProxyLearningRate is null or (>= 1e-6 and <= 1), nameof(ProxyLearningRate), "proxyLearningRate must be 1e-6 to 1");
        Check(Gray is null or (>= 0 and <= 1), nameof(Gray), "gray must be 0-1");
        Check(GrayEpisodes is null or (>= 0 and <= 1), nameof(GrayEpisodes), "grayEpisodes must be 0-1");
        Check(DistinctKeys is null or (>= 0 and <= 100), nameof(DistinctKeys), "distinctKeys must be 0-100");
        Check(HardOwners is null or (>= 0 and <= 8), nameof(HardOwners), "hardOwners must be 0-8");
        Check(EpisodeWarmUp is null or (>= 1 and <= 4), nameof(EpisodeWarmUp), "episodeWarmUp must be 1-4");
        Check(ReadableEpisodes is null or (>= 0 and <= 1), nameof(ReadableEpisodes), "readableEpisodes must be 0-1");
        Check(StandIns is null || (StandIns.Count is >= 1 and <= 8 && StandIns.All(StandInNames.Contains)), nameof(StandIns),
            $"standIns must list 1-8 of {string.Join(", ", StandInNames)}");
        Check(KeepStandIns != true || StandIns is null || StandIns.Count == 1, nameof(KeepStandIns), "keepStandIns needs one stand-in architecture");
        Check(FreshBesideKept != true || KeepStandIns == true, nameof(FreshBesideKept), "freshBesideKept needs keepStandIns");
        Check(Jpeg is null or (>= 0 and <= 1), nameof(Jpeg), "jpeg must be 0-1");
        Check(Halving is null or (>= 0 and <= 1), nameof(Halving), "halving must be 0-1");
        Check(LoudViews is null or (>= 0 and <= 1), nameof(LoudViews), "loudViews must be 0-1");
        Check(LoudAtomGradient is null or (>= 0 and <= 1), nameof(LoudAtomGradient), "loudAtomGradient must be 0-1");
        Check(LoudAtomGradient is null or 1 || LoudViews > 0, nameof(LoudAtomGradient), "loudAtomGradient below 1 needs loudViews");
        Check(CurriculumFraction is null or (> 0 and <= 1), nameof(CurriculumFraction), "curriculumFraction must be more than 0 and at most 1");
        Check(ProtectionOptions.IsValidEpsilon(Epsilon), nameof(Epsilon), ProtectionOptions.EpsilonRangeMessage("epsilon"));
        Check(MaxImages is null or (>= 10 and <= 1_000_000), nameof(MaxImages), "maxImages must be 10-1,000,000");
        Check(Version is null || ModelRegistry.IsValidVersion(Version), nameof(Version), "version must be letters, digits, '.', '-', '_'");
        return errors;
    }
}
