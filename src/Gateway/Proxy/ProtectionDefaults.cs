using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Proxy;

/// <summary>Defaults for routes whose metadata does not say otherwise (configuration section "Protection").</summary>
public sealed class ProtectionDefaults
{
    public const string SectionName = "Protection";

    public int Epsilon { get; set; } = 8;

    public FailMode FailMode { get; set; } = FailMode.Closed;

    /// <summary>Largest request body the gateway buffers to rewrite, in bytes.</summary>
    public long MaxRequestBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Formats a route protects; other image formats are refused (or passed unprotected in fail-open).</summary>
    public IReadOnlyList<ImageFormatKind> Formats { get; set; } = [ImageFormatKind.Jpeg, ImageFormatKind.Png, ImageFormatKind.Webp];
}
