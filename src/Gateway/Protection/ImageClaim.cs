namespace UploadGuard.Gateway.Protection;

/// <summary>Whether a part or body presents itself as an image, by its declared type or file name (both untrusted).</summary>
public static class ImageClaim
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".pjpeg", ".pjp", ".png", ".apng", ".webp", ".gif", ".heic", ".heics", ".heif", ".hif", ".avif",
        ".avifs", ".bmp", ".dib", ".tif", ".tiff", ".ico", ".cur", ".pbm", ".pgm", ".ppm", ".pnm", ".pam", ".pfm", ".tga", ".pcx", ".jp2",
        ".j2k", ".j2c", ".jpf", ".jpx", ".jpm", ".jxl", ".svg", ".svgz", ".psd", ".psb", ".qoi", ".dds", ".exr",
    };

    public static bool Claims(string? contentType, string? fileName) =>
        (contentType is not null && contentType.TrimStart().StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        || (fileName is not null && Extensions.Contains(Path.GetExtension(fileName.Replace('\\', '/'))));
}
