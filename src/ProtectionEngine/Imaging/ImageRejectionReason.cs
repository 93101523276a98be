namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>Why an image was refused. The snake_case names are the reason codes shown to clients.</summary>
public enum ImageRejectionReason
{
    /// <summary>No bytes at all.</summary>
    Empty,

    /// <summary>More encoded bytes than <see cref="ImagingOptions.MaxBytes"/>.</summary>
    TooManyBytes,

    /// <summary>Width, height or pixel count over the configured caps (decompression bombs land here).</summary>
    TooManyPixels,

    /// <summary>An image format that exists but that the engine cannot encode back (GIF, HEIC, TIFF, BMP...).</summary>
    UnsupportedFormat,

    /// <summary>Not an image, or an image too damaged to decode.</summary>
    Undecodable,

    /// <summary>An image cut short or with a damaged container (a wrong PNG CRC): decoding would invent the missing pixels.</summary>
    Truncated,

    /// <summary>The requested output format cannot carry this image faithfully (transparency into JPEG).</summary>
    OutputCannotRepresent,
}
