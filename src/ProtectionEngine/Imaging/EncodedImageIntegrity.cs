using System.Buffers.Binary;
using System.IO.Hashing;

namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>
/// Whether an encoded image is whole, checked on its container before decoding. ImageSharp 2.1 decodes a JPEG cut off
/// mid-scan, a PNG whose image data ends early and a cut-off lossless WebP without complaint, filling the rest of the
/// picture with grey or black: protected and forwarded, the recipient would get a photo the user never took.
/// </summary>
internal static class EncodedImageIntegrity
{
    /// <summary>Why <paramref name="encoded"/> is incomplete or damaged, or null when its structure is whole.</summary>
    public static string? FindDamage(ImageFormatKind format, ReadOnlySpan<byte> encoded) => format switch
    {
        ImageFormatKind.Jpeg => JpegDamage(encoded),
        ImageFormatKind.Png => PngDamage(encoded),
        ImageFormatKind.Webp => encoded.Length < 12 || 8L + BinaryPrimitives.ReadUInt32LittleEndian(encoded[4..]) > encoded.Length
            ? "The WebP file is truncated: its RIFF header promises more bytes than it holds." : null,
        _ => null,
    };

    /// <summary>
    /// Walks the JPEG's marker segments and entropy-coded scans to its end-of-image marker. Scanning for FF D9 alone would
    /// be fooled by the thumbnail inside an EXIF segment; walking segment by segment is not.
    /// </summary>
    private static string? JpegDamage(ReadOnlySpan<byte> jpeg)
    {
        const string Truncated = "The JPEG file is truncated: it ends before its end-of-image marker.";
        int i = 2;   // after SOI
        while (true)
        {
            if (i >= jpeg.Length) return Truncated;
            if (jpeg[i] != 0xFF) return "The JPEG file is damaged: a marker segment is missing where one should start.";
            while (i < jpeg.Length && jpeg[i] == 0xFF) i++;   // fill bytes
            if (i >= jpeg.Length) return Truncated;
            byte marker = jpeg[i++];
            if (marker == 0xD9) return null;                                // EOI: whole (anything after it is ignored by decoders)
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue;         // markers without a length
            if (i + 2 > jpeg.Length) return Truncated;
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[i..]);
            if (length < 2) return "The JPEG file is damaged: a marker segment declares a length under 2.";
            i += length;
            if (i > jpeg.Length) return Truncated;
            if (marker != 0xDA) continue;
            // Entropy-coded data after SOS runs to the next marker that is neither a stuffed zero nor a restart.
            while (true)
            {
                int ff = jpeg[i..].IndexOf((byte)0xFF);
                if (ff < 0) return Truncated;
                i += ff;
                if (i + 1 >= jpeg.Length) return Truncated;
                byte next = jpeg[i + 1];
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7)
                {
                    i += 2;
                    continue;
                }
                break;
            }
        }
    }

    /// <summary>Every chunk whole with a correct CRC, up to IEND.</summary>
    private static string? PngDamage(ReadOnlySpan<byte> png)
    {
        int i = 8;
        while (true)
        {
            if (i + 12 > png.Length) return "The PNG file is truncated: it ends before its IEND chunk.";
            long length = BinaryPrimitives.ReadUInt32BigEndian(png[i..]);
            if (length > int.MaxValue || i + 12 + length > png.Length)
                return "The PNG file is truncated: a chunk promises more bytes than the file holds.";
            var typeAndData = png.Slice(i + 4, 4 + (int)length);
            if (Crc32.HashToUInt32(typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(png[(i + 8 + (int)length)..]))
                return $"The PNG file is damaged: the CRC of its {System.Text.Encoding.ASCII.GetString(typeAndData[..4])} chunk is wrong.";
            if (typeAndData[..4].SequenceEqual("IEND"u8)) return null;
            i += 12 + (int)length;
        }
    }
}
