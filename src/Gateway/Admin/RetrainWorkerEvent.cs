using System.Text.Json;
using System.Text.Json.Serialization;

namespace UploadGuard.Gateway.Admin;

/// <summary>One line of the worker's standard output (src/Cli/Commands/RetrainEvents.cs writes them; docs/admin.md lists them).</summary>
public sealed record RetrainWorkerEvent
{
    public const string Started = "started";
    public const string Progress = "progress";
    public const string Trained = "trained";
    public const string Gate = "gate";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";

    /// <summary>Which event: one of the constants above.</summary>
    public required string Event { get; init; }

    /// <summary><see cref="Started"/>: the settings the worker runs with, the trainer's defaults filled in.</summary>
    public JsonElement? Settings { get; init; }

    /// <summary><see cref="Progress"/>: <c>training</c>, or <c>resumed</c> (from the checkpoint of <see cref="Step"/>).</summary>
    public string? Phase { get; init; }

    /// <summary><see cref="Progress"/>: steps done; <see cref="Cancelled"/>: the step the checkpoint holds.</summary>
    public long Step { get; init; }

    public long TotalSteps { get; init; }

    public Dictionary<string, double>? LossTerms { get; init; }

    public double ImagesPerSecond { get; init; }

    public double? EtaSeconds { get; init; }

    /// <summary><see cref="Trained"/>: the version now in the registry.</summary>
    public string? Version { get; init; }

    /// <summary><see cref="Gate"/>: the verdict.</summary>
    [JsonPropertyName("gate")]
    public GateVerdict? Verdict { get; init; }

    /// <summary><see cref="Failed"/>: what went wrong.</summary>
    public string? Error { get; init; }
}
