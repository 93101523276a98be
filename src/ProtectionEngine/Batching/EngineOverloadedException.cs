namespace UploadGuard.ProtectionEngine.Batching;

/// <summary>The generator queue is full: back off and retry later (HTTP 503 with Retry-After).</summary>
public sealed class EngineOverloadedException(int queueCapacity, TimeSpan retryAfter)
    : Exception($"The protection queue is full ({queueCapacity} images waiting); retry after {retryAfter.TotalSeconds:0} s.")
{
    public int QueueCapacity { get; } = queueCapacity;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
