namespace UploadGuard.Gateway.Api;

/// <summary>Per-client token bucket for <c>/api/protect</c> (configuration section "RateLimits:Protect").</summary>
public sealed class ProtectRateLimitOptions
{
    public const string SectionName = "RateLimits:Protect";

    public int TokenLimit { get; set; } = 30;

    public int TokensPerPeriod { get; set; } = 10;

    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
