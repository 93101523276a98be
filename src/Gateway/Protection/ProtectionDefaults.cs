using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Protection;

/// <summary>Defaults for routes whose metadata does not say otherwise (configuration section "Protection").</summary>
public sealed class ProtectionDefaults
{
    public const string SectionName = "Protection";

    /// <summary>
    /// The budget of routes that set none. Unset (the default): the active model's, the epsilon its card's claim was
    /// measured at (8 for a model that claims nothing), so that activating a model brings its measured budget along.
    /// </summary>
    public int? Epsilon { get; set; }

    public FailMode FailMode { get; set; } = FailMode.Closed;

    /// <summary>Largest request body the gateway buffers to rewrite, in bytes.</summary>
    public long MaxRequestBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Formats a route protects; other image formats are refused (or passed unprotected in fail-open).</summary>
    public IReadOnlyList<ImageFormatKind> Formats { get; set; } = [ImageFormatKind.Jpeg, ImageFormatKind.Png, ImageFormatKind.Webp];
}
