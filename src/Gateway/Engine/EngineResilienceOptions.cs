namespace UploadGuard.Gateway.Engine;

/// <summary>Limits around engine calls (configuration section "EngineResilience").</summary>
public sealed class EngineResilienceOptions
{
    public const string SectionName = "EngineResilience";

    /// <summary>Images protected at once; the batcher gathers these into generator batches.</summary>
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>Images waiting for a slot; beyond this the gateway answers 503 with Retry-After.</summary>
    public int QueueLimit { get; set; } = 64;

    /// <summary>Longest one image may take in the engine.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 5;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
