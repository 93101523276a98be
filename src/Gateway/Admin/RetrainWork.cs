namespace UploadGuard.Gateway.Admin;

/// <summary>
/// The work file the gateway writes into a job's folder for the worker (<c>uploadguard retrain --work</c>, which reads
/// it as src/Cli/Commands/RetrainWork.cs): the request's hyper-parameters, null where the admin left one out (the
/// worker applies the trainer's default), and the gateway's paths, device and gate settings.
/// </summary>
public sealed record RetrainWork
{
    public long? Steps { get; init; }

    public int? BatchSize { get; init; }

    public int? ImageSize { get; init; }

    public string? Architecture { get; init; }

    public int? ProxySize { get; init; }

    public double? LearningRate { get; init; }

    public int? PseudoOwners { get; init; }

    public int? EpisodeSteps { get; init; }

    public double? ProxyLearningRate { get; init; }

    public double? Gray { get; init; }

    public int? Epsilon { get; init; }

    public int? Seed { get; init; }

    public int? MaxImages { get; init; }

    public string? Version { get; init; }

    public required string DataSource { get; init; }

    public required string ModelsPath { get; init; }

    public required string CheckpointDirectory { get; init; }

    public required int CheckpointInterval { get; init; }

    public required string Device { get; init; }

    public required int GateSampleSize { get; init; }

    public required double GateMinimumPsnr { get; init; }
}
