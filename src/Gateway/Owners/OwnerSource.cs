namespace UploadGuard.Gateway.Owners;

/// <summary>Where the owner of the photos in a request (whose key protects them) comes from.</summary>
public enum OwnerSource
{
    /// <summary>A claim of a JWT in <c>Authorization: Bearer</c>, validated against <see cref="OwnerJwtOptions"/>.</summary>
    Jwt,

    /// <summary>A request header set by a trusted proxy, honoured only from <see cref="OwnerKeysOptions.TrustedProxies"/>.</summary>
    Header,

    /// <summary>The gateway's own client user (<c>Clients:Users</c>), as the browser extension authenticates.</summary>
    Client,

    /// <summary>One owner for every request; last in a list, it is the fallback when no other source gives one.</summary>
    Fixed,
}
