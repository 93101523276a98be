namespace UploadGuard.Gateway.Proxy;

/// <summary>Whether a part or body presents itself as an image, by its declared type or file name (both untrusted).</summary>
public static class ImageClaim
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".webp", ".gif", ".heic", ".heif", ".avif", ".bmp", ".tif", ".tiff",
    };

    public static bool Claims(string? contentType, string? fileName) =>
        (contentType is not null && contentType.TrimStart().StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        || (fileName is not null && Extensions.Contains(Path.GetExtension(fileName.Replace('\\', '/'))));
}
