namespace UploadGuard.Gateway.Owners;

/// <summary>
/// Owner keys (section <c>Protection:OwnerKeys</c>): the server secret every owner's key is derived from
/// (HMAC-SHA256 of the owner id), the older secrets still accepted for removal, and where owner ids may come from.
/// </summary>
public sealed class OwnerKeysOptions
{
    public const string SectionName = "Protection:OwnerKeys";

    /// <summary>
    /// The current secret (base64 of at least 32 bytes, or text of at least 32 bytes). Empty: <see cref="SecretFile"/>,
    /// else <c>owner-secret</c> in the data folder, created on first start.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>A file holding the current secret (e.g. a mounted Kubernetes Secret); it must exist.</summary>
    public string? SecretFile { get; set; }

    /// <summary>Secrets used before a rotation: never used to protect, still tried when an admin removes protection.</summary>
    public List<string> PreviousSecrets { get; set; } = [];

    /// <summary>
    /// Comma list of addresses or CIDR ranges of the proxies whose owner header is believed, matched against the
    /// connection's peer address (never X-Forwarded-For). A list in one string, so that an environment variable
    /// replaces it whole instead of merging by index with appsettings. The default trusts loopback only.
    /// </summary>
    public string TrustedProxies { get; set; } = "127.0.0.0/8, ::1/128";

    public OwnerJwtOptions Jwt { get; set; } = new();

    /// <summary>Where <c>/api/protect</c> finds the owner.</summary>
    public OwnerSourceOptions Api { get; set; } = new();
}
