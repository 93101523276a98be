using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Protection;

/// <summary>What happened to a request's images.</summary>
/// <param name="Body">The body to deliver: a multipart body framed anew by the gateway, a single body as it came or protected.</param>
/// <param name="ContentType">The Content-Type to deliver it with (the gateway's own boundary for a multipart body).</param>
/// <param name="Reports">One report per protected image.</param>
/// <param name="Unprotected">Images forwarded as they came (fail-open), as "part: reason".</param>
public sealed record UploadOutcome(byte[] Body, string? ContentType, IReadOnlyList<ProtectionReport> Reports, IReadOnlyList<string> Unprotected)
{
    public bool TouchedImages => Reports.Count > 0 || Unprotected.Count > 0;
}
