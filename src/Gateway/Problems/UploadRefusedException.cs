namespace UploadGuard.Gateway.Problems;

/// <summary>A request refused before anything was forwarded, with its HTTP status and reason code.</summary>
public sealed class UploadRefusedException(int status, string reason, string detail, string? part = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(detail, inner)
{
    public int Status { get; } = status;

    public string Reason { get; } = reason;

    /// <summary>The multipart field (or "body") the refusal is about.</summary>
    public string? Part { get; } = part;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
