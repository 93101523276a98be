namespace UploadGuard.ProtectionEngine.Models;

/// <summary>The words every surface (headers, reports, CLI, extension, admin page) uses for a <see cref="ClaimStatus"/>.</summary>
public static class ClaimStatusNames
{
    public const string NoneClaimed = "none-claimed";
    public const string Measured = "measured";
    public const string BelowMeasuredEpsilon = "below-measured-epsilon";

    /// <summary>The token form, as in the <c>X-UploadGuard-Claim</c> header.</summary>
    public static string Token(this ClaimStatus status) => status switch
    {
        ClaimStatus.NoneClaimed => NoneClaimed,
        ClaimStatus.Measured => Measured,
        ClaimStatus.BelowMeasuredEpsilon => BelowMeasuredEpsilon,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
