using System.Text;

namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>
/// Recognises image formats by their content, never by file name or declared type: the three the engine protects, and
/// a broad table of those it cannot (so that a fail-closed route refuses them by name instead of passing them through
/// as "not an image"). Signatures are the formats' own magic numbers; TGA and PCX have none, so their header structure
/// is checked field by field, strictly enough that text and ordinary binary data do not match.
/// </summary>
public static class ImageFormatSniffer
{
    /// <summary>Bytes needed to recognise every format below (SVG may open with an XML declaration and comments).</summary>
    public const int HeaderLength = 512;

    private static readonly (string Name, byte[] Signature)[] Signatures =
    [
        ("GIF", "GIF87a"u8.ToArray()), ("GIF", "GIF89a"u8.ToArray()),
        ("TIFF", [0x49, 0x49, 0x2A, 0x00]), ("TIFF", [0x4D, 0x4D, 0x00, 0x2A]), ("TIFF", [0x49, 0x49, 0x2B, 0x00]), ("TIFF", [0x4D, 0x4D, 0x00, 0x2B]),
        ("JPEG 2000", [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]), ("JPEG 2000", [0xFF, 0x4F, 0xFF, 0x51]),
        ("JPEG XL", [0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A]), ("JPEG XL", [0xFF, 0x0A]),
        ("PSD", "8BPS\x00\x01"u8.ToArray()), ("PSB", "8BPS\x00\x02"u8.ToArray()),
        ("QOI", "qoif"u8.ToArray()), ("DDS", "DDS |\x00\x00\x00"u8.ToArray()), ("OpenEXR", [0x76, 0x2F, 0x31, 0x01]),
    ];

    private static readonly string[] HeifBrands = ["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "mif2", "msf1"];

    private static readonly string[] AvifBrands = ["avif", "avis", "avio"];

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

    /// <summary>The name of an image format the engine does not protect that the header is, or null.</summary>
    public static string? DetectUnsupported(ReadOnlySpan<byte> header)
    {
        foreach (var (name, signature) in Signatures)
        {
            if (header.StartsWith(signature))
                return name;
        }
        return IsoMediaImage(header) ?? Bmp(header) ?? IconOrCursor(header) ?? Netpbm(header) ?? (IsPcx(header) ? "PCX" : null)
            ?? (IsTga(header) ? "TGA" : null) ?? (IsSvg(header) ? "SVG" : null);
    }

    /// <summary>HEIF and AVIF: an ISO-BMFF <c>ftyp</c> box whose major or compatible brands name a still-image brand.</summary>
    private static string? IsoMediaImage(ReadOnlySpan<byte> header)
    {
        if (header.Length < 12 || !header.Slice(4, 4).SequenceEqual("ftyp"u8)) return null;
        int boxSize = (int)Math.Min((uint)(header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3]), (uint)header.Length);
        var brands = new List<string> { Encoding.ASCII.GetString(header.Slice(8, 4)) };
        for (int i = 16; i + 4 <= boxSize; i += 4)
            brands.Add(Encoding.ASCII.GetString(header.Slice(i, 4)));
        if (brands.Any(AvifBrands.Contains)) return "AVIF";
        return brands.Any(HeifBrands.Contains) ? "HEIF" : null;
    }

    private static string? Bmp(ReadOnlySpan<byte> h) =>
        h.Length >= 18 && h.StartsWith("BM"u8) && LittleEndian32(h, 14) is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124 ? "BMP" : null;

    private static string? IconOrCursor(ReadOnlySpan<byte> h)
    {
        // Reserved zero, type 1 (icon) or 2 (cursor), 1-255 images, and the first entry's reserved byte zero.
        if (h.Length < 22 || h[0] != 0 || h[1] != 0 || h[3] != 0 || h[5] != 0 || h[4] == 0 || h[9] != 0) return null;
        return h[2] switch { 1 => "ICO", 2 => "CUR", _ => null };
    }

    /// <summary>PBM, PGM, PPM (P1-P6), PAM (P7) and PFM: the magic, white space, then a size or a PAM header line.</summary>
    private static string? Netpbm(ReadOnlySpan<byte> h)
    {
        if (h.Length < 4 || h[0] != 'P' || !IsSpace(h[2])) return null;
        int i = 3;
        while (true)
        {
            while (i < h.Length && IsSpace(h[i])) i++;
            if (i < h.Length && h[i] == '#')
            {
                while (i < h.Length && h[i] != '\n') i++;
                continue;
            }
            break;
        }
        if (i >= h.Length) return null;
        return h[1] switch
        {
            (byte)'7' when h[i] is >= (byte)'A' and <= (byte)'Z' => "PAM",
            (byte)'F' or (byte)'f' when h[i] is >= (byte)'0' and <= (byte)'9' => "PFM",
            >= (byte)'1' and <= (byte)'6' when h[i] is >= (byte)'0' and <= (byte)'9' => "PNM",
            _ => null,
        };
    }

    private static bool IsPcx(ReadOnlySpan<byte> h) =>
        h.Length >= 12 && h[0] == 0x0A && h[1] is 0 or 2 or 3 or 4 or 5 && h[2] is 0 or 1 && h[3] is 1 or 2 or 4 or 8
            && LittleEndian16(h, 8) >= LittleEndian16(h, 4) && LittleEndian16(h, 10) >= LittleEndian16(h, 6);

    /// <summary>TGA has no magic: a colour-map type, an image type, a map spec consistent with them, a size and a depth.</summary>
    private static bool IsTga(ReadOnlySpan<byte> h)
    {
        if (h.Length < 18 || h[1] > 1 || h[2] is not (1 or 2 or 3 or 9 or 10 or 11)) return false;
        bool mapped = h[1] == 1;
        if (mapped ? h[2] is not (1 or 9) || h[7] is not (15 or 16 or 24 or 32) : h[3] != 0 || h[4] != 0 || h[5] != 0 || h[6] != 0 || h[7] != 0)
            return false;
        return LittleEndian16(h, 12) > 0 && LittleEndian16(h, 14) > 0 && h[16] is 8 or 15 or 16 or 24 or 32 && (h[17] & 0xC0) == 0;
    }

    /// <summary>XML or bare markup whose first element is <c>&lt;svg</c> (after a declaration, comments or a doctype).</summary>
    private static bool IsSvg(ReadOnlySpan<byte> h)
    {
        if (h.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) h = h[3..];
        var text = Encoding.ASCII.GetString(h).TrimStart();
        if (!text.StartsWith('<')) return false;
        int svg = text.IndexOf("<svg", StringComparison.OrdinalIgnoreCase);
        if (svg < 0) return false;
        // Only declarations, comments and a doctype may come first; an HTML page that embeds an SVG is not an SVG file.
        var before = text[..svg];
        return !before.Contains("<html", StringComparison.OrdinalIgnoreCase) && !before.Contains("<!doctype html", StringComparison.OrdinalIgnoreCase)
            && !before.Contains("<body", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static int LittleEndian16(ReadOnlySpan<byte> h, int at) => h[at] | h[at + 1] << 8;

    private static long LittleEndian32(ReadOnlySpan<byte> h, int at) => (uint)(h[at] | h[at + 1] << 8 | h[at + 2] << 16 | h[at + 3] << 24);
}
