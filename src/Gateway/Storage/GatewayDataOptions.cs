namespace UploadGuard.Gateway.Storage;

/// <summary>
/// The gateway's own data folder (configuration section "Data"): state it creates for itself and must keep across
/// restarts, such as the generated owner-key secret of the embedded default.
/// </summary>
public sealed class GatewayDataOptions
{
    public const string SectionName = "Data";

    /// <summary>The folder; empty means <see cref="DefaultPath"/>.</summary>
    public string? Path { get; set; }

    /// <summary>
    /// The user's local data folder (<c>~/.local/share/uploadguard/gateway</c> on Linux): it survives reboots and
    /// rebuilds, unlike the temp folder or the build output.
    /// </summary>
    public static string DefaultPath => System.IO.Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "uploadguard", "gateway");

    public string ResolvedPath => string.IsNullOrWhiteSpace(Path) ? DefaultPath : System.IO.Path.GetFullPath(Path);
}
