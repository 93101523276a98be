using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace UploadGuard.Gateway.Security;

/// <summary>
/// Limits on a request's headers (configuration section "RequestHeaders"), enforced by
/// <see cref="RequestHeaderLimitMiddleware"/> with a problem+json 431 <c>headers_too_large</c>. The defaults are
/// Kestrel's own. Kestrel itself is set to <see cref="ServerHeadroom"/> times these limits, so that requests between
/// the two reach the gateway's code and get an explained refusal; beyond that, Kestrel's bare 431 is the backstop.
/// </summary>
public sealed class RequestHeaderLimitOptions
{
    public const string SectionName = "RequestHeaders";

    /// <summary>How many times the configured limits Kestrel accepts before it refuses on its own.</summary>
    public const int ServerHeadroom = 2;

    /// <summary>Most header lines in one request.</summary>
    public int MaxCount { get; set; } = 100;

    /// <summary>Most bytes of header lines in one request (names, values, separators and line breaks, as Kestrel counts).</summary>
    public int MaxTotalBytes { get; set; } = 32 * 1024;

    /// <summary>Raises (never lowers) Kestrel's header limits to <see cref="ServerHeadroom"/> times these.</summary>
    public void ApplyBackstop(KestrelServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.MaxRequestHeaderCount = Math.Max(limits.MaxRequestHeaderCount, checked(MaxCount * ServerHeadroom));
        limits.MaxRequestHeadersTotalSize = Math.Max(limits.MaxRequestHeadersTotalSize, checked(MaxTotalBytes * ServerHeadroom));
    }
}
