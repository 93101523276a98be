namespace UploadGuard.Gateway.Engine;

/// <summary>Limits around engine calls (configuration section "EngineResilience").</summary>
public sealed class EngineResilienceOptions
{
    public const string SectionName = "EngineResilience";

    /// <summary>Images protected at once; the batcher gathers these into generator batches.</summary>
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>Images waiting for a slot; beyond this the gateway answers 503 with Retry-After.</summary>
    public int QueueLimit { get; set; } = 64;

    /// <summary>Engine slots one request may hold at once, so that a large form leaves room for everyone else.</summary>
    public int MaxSlotsPerRequest { get; set; } = 4;

    /// <summary>Images one request may carry (413 <c>too_many_images</c> beyond).</summary>
    public int MaxImagesPerRequest { get; set; } = 64;

    /// <summary>Decoded pixels the gateway works on at once, all requests together (<see cref="DecodeBudget"/>).</summary>
    public long MaxDecodedPixelsInFlight { get; set; } = 80_000_000;

    /// <summary>Decoded pixels one request may carry, all its images together (413 <c>request_too_many_pixels</c> beyond).</summary>
    public long MaxDecodedPixelsPerRequest { get; set; } = 80_000_000;

    /// <summary>How long a request waits for room in the decode budget before 503 <c>decode_budget_busy</c>.</summary>
    public TimeSpan DecodeBudgetWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest one image may take in the engine.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 5;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
