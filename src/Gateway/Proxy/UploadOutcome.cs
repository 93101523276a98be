using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Proxy;

/// <summary>What happened to a request's images.</summary>
/// <param name="Body">The body to forward (the original bytes where nothing was replaced).</param>
/// <param name="Reports">One report per protected image.</param>
/// <param name="Unprotected">Images forwarded as they came (fail-open), as "part: reason".</param>
public sealed record UploadOutcome(byte[] Body, IReadOnlyList<ProtectionReport> Reports, IReadOnlyList<string> Unprotected)
{
    public bool TouchedImages => Reports.Count > 0 || Unprotected.Count > 0;
}
