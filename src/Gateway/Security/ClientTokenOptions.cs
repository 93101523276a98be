namespace UploadGuard.Gateway.Security;

/// <summary>
/// Per-user tokens (configuration section "Clients"), e.g. <c>Clients__Users__0__Name=alice</c>,
/// <c>Clients__Users__0__Token=...</c>. Tokens are compared as SHA-256 digests in fixed time.
/// </summary>
public sealed class ClientTokenOptions
{
    public const string SectionName = "Clients";

    public List<ClientUser> Users { get; set; } = [];

    /// <summary>Lets <c>/api/protect</c> serve callers without a token (the embedded localhost demo). Progress over SignalR always needs one.</summary>
    public bool AllowAnonymousProtect { get; set; }
}
