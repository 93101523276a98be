namespace UploadGuard.Gateway.Demo;

/// <summary>The built-in demo upstream (configuration section "DemoUpstream").</summary>
public sealed class DemoUpstreamOptions
{
    public const string SectionName = "DemoUpstream";

    /// <summary>On by default, so <c>dotnet run</c> has something to proxy to; turn off in production.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether the gateway protects uploads on its /demo route (off where this instance only plays the upstream).</summary>
    public bool Protect { get; set; } = true;

    /// <summary>Where uploads are stored; a fresh temporary folder when empty.</summary>
    public string? StoragePath { get; set; }
}
