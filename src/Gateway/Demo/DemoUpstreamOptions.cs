namespace UploadGuard.Gateway.Demo;

/// <summary>The built-in demo upstream (configuration section "DemoUpstream").</summary>
public sealed class DemoUpstreamOptions
{
    public const string SectionName = "DemoUpstream";

    /// <summary>On by default, so <c>dotnet run</c> has something to proxy to; turn off in production.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether the gateway protects uploads on its /demo route (off where this instance only plays the upstream).</summary>
    public bool Protect { get; set; } = true;

    /// <summary>
    /// Where the /demo route finds the photos' owner (<c>UploadGuard.OwnerSources</c>): the client user, else the
    /// <c>X-UploadGuard-Owner</c> header from a trusted (by default loopback) address, else <see cref="FixedOwner"/>.
    /// </summary>
    public string OwnerSources { get; set; } = "client,header,fixed";

    /// <summary>The demo's fallback owner, so that a plain <c>curl -F photo=@cat.png</c> works with an owner-keyed model.</summary>
    public string FixedOwner { get; set; } = "demo";

    /// <summary>Where uploads are stored; a fresh temporary folder when empty.</summary>
    public string? StoragePath { get; set; }
}
