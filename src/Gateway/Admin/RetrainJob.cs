using System.Text.Json;

namespace UploadGuard.Gateway.Admin;

/// <summary>A retraining job as stored in <c>job.json</c> and returned by <c>GET /admin/retrain/{id}</c>.</summary>
public sealed record RetrainJob
{
    public required string Id { get; init; }

    public required RetrainRequest Request { get; init; }

    /// <summary>What the worker trains with: the request with the trainer's defaults filled in (null until it has started).</summary>
    public JsonElement? Settings { get; init; }

    /// <summary>The folder or archive trained on (never an uploaded file's own name).</summary>
    public required string DataSource { get; init; }

    public required string DatasetDescription { get; init; }

    public RetrainState State { get; init; } = RetrainState.Queued;

    public long Step { get; init; }

    public long TotalSteps { get; init; }

    /// <summary>Set when a restarted gateway continued this job from a checkpoint.</summary>
    public long? ResumedFromStep { get; init; }

    public IReadOnlyDictionary<string, double> LossTerms { get; init; } = new Dictionary<string, double>();

    public double ImagesPerSecond { get; init; }

    public double? EtaSeconds { get; init; }

    public string? Version { get; init; }

    public GateVerdict? Gate { get; init; }

    public bool Activated { get; init; }

    public string? Error { get; init; }

    public int SkippedNonImages { get; init; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset Updated { get; init; }

    public bool IsFinished => State is RetrainState.Succeeded or RetrainState.Failed or RetrainState.Cancelled;
}
