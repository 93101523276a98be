namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>
/// Recognises image formats by their magic bytes, never by file name or declared type. Also recognises common
/// image formats the engine cannot encode back (GIF, HEIC/AVIF, TIFF, BMP), so callers can refuse them explicitly
/// instead of passing them through as non-images.
/// </summary>
public static class ImageFormatSniffer
{
    /// <summary>Bytes needed to recognise every signature below.</summary>
    public const int HeaderLength = 32;

    /// <summary>The supported format the header starts with, or null.</summary>
    public static ImageFormatKind? DetectSupported(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF)
            return ImageFormatKind.Jpeg;
        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            return ImageFormatKind.Png;
        if (header.Length >= 12 && header[..4].SequenceEqual("RIFF"u8) && header.Slice(8, 4).SequenceEqual("WEBP"u8))
            return ImageFormatKind.Webp;
        return null;
    }

    /// <summary>True when the header is an image format that exists but that the engine does not protect.</summary>
    public static bool IsUnsupportedImage(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8)) return true;
        if (header.StartsWith("BM"u8) && header.Length >= 14) return true;
        if (header.StartsWith((ReadOnlySpan<byte>)[0x49, 0x49, 0x2A, 0x00]) || header.StartsWith((ReadOnlySpan<byte>)[0x4D, 0x4D, 0x00, 0x2A])) return true;
        if (header.Length >= 12 && header.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            // ISO-BMFF still images: HEIC, HEIF, AVIF brands.
            var brand = header.Slice(8, 4);
            return brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8)
                || brand.SequenceEqual("msf1"u8) || brand.SequenceEqual("avif"u8) || brand.SequenceEqual("hevc"u8);
        }
        return false;
    }
}
