namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>The format a protected image is written in.</summary>
public enum OutputFormat
{
    /// <summary>The input's own format: a JPEG stays a JPEG.</summary>
    Keep,

    /// <summary>Lossless PNG: the written pixels are exactly the protected pixels.</summary>
    Png,

    Jpeg,

    /// <summary>Lossless WebP: exact, like PNG.</summary>
    Webp,
}
