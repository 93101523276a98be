using System.Text.RegularExpressions;

namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>An input image the engine refuses, with a machine-readable reason.</summary>
public sealed partial class ImageRejectedException : Exception
{
    public ImageRejectedException(ImageRejectionReason reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
    }

    public ImageRejectionReason Reason { get; }

    /// <summary>The reason as a stable snake_case code, e.g. <c>too_many_pixels</c>.</summary>
    public string ReasonCode => ToCode(Reason);

    /// <summary>An image in a format the engine does not protect, named so the user knows what to convert.</summary>
    public static ImageRejectedException UnsupportedFormat(string format) =>
        new(ImageRejectionReason.UnsupportedFormat, $"{format} images cannot be protected; send JPEG, PNG or WebP.");

    public static string ToCode(ImageRejectionReason reason) => UpperCase().Replace(reason.ToString(), "_$1").ToLowerInvariant();

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex UpperCase();
}
