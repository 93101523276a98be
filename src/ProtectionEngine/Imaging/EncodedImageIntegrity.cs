using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
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

    /// <summary>
    /// Whether a PNG's compressed image data holds every row its header declares. Its chunks can all be whole with correct
    /// CRCs while the zlib stream inside the IDAT chunks stops early (a writer cut off that still closed its file): ImageSharp
    /// then fills the missing rows with black. Inflates at most what the header declares, so call it once the declared
    /// dimensions have passed the caps and the chunks <see cref="FindDamage"/> (it trusts their lengths). Returns the
    /// rejection to throw, or null.
    /// </summary>
    public static ImageRejectedException? FindMissingPngData(ReadOnlySpan<byte> png)
    {
        int width = 0, height = 0, bitDepth = 0, colourType = 0, interlace = 0, compressedLength = 0;
        var imageData = new List<(int Start, int Length)>();
        for (int i = 8; i + 12 <= png.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png[i..]);
            var type = png.Slice(i + 4, 4);
            if (type.SequenceEqual("IHDR"u8) && length >= 13)
            {
                width = BinaryPrimitives.ReadInt32BigEndian(png[(i + 8)..]);
                height = BinaryPrimitives.ReadInt32BigEndian(png[(i + 12)..]);
                (bitDepth, colourType, interlace) = (png[i + 16], png[i + 17], png[i + 20]);
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                imageData.Add((i + 8, length));
                compressedLength += length;
            }
            else if (type.SequenceEqual("IEND"u8))
                break;
            i += 12 + length;
        }
        int channels = colourType switch { 0 or 3 => 1, 2 => 3, 4 => 2, 6 => 4, _ => 0 };
        if (width <= 0 || height <= 0 || channels == 0 || bitDepth is not (1 or 2 or 4 or 8 or 16))
            return null;   // not a header this check understands; the decoder judges it
        long expected = ImageDataBytes(width, height, channels * bitDepth, interlace == 1);

        var compressed = ArrayPool<byte>.Shared.Rent(compressedLength);
        var inflated = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int filled = 0;
            foreach (var (start, length) in imageData)
            {
                png.Slice(start, length).CopyTo(compressed.AsSpan(filled));
                filled += length;
            }
            using var zlib = new ZLibStream(new MemoryStream(compressed, 0, filled, writable: false), CompressionMode.Decompress);
            long total = 0;
            int read;
            while (total < expected && (read = zlib.Read(inflated, 0, (int)Math.Min(inflated.Length, expected - total))) > 0)
                total += read;
            return total < expected
                ? new ImageRejectedException(ImageRejectionReason.Truncated,
                    $"The PNG file is truncated: its image data holds {total:N0} of the {expected:N0} bytes its {width}x{height} header declares.")
                : null;
        }
        catch (InvalidDataException ex)
        {
            return new ImageRejectedException(ImageRejectionReason.Undecodable, $"The PNG file is damaged: its image data cannot be inflated ({ex.Message}).", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
            ArrayPool<byte>.Shared.Return(inflated);
        }
    }

    /// <summary>Filtered scanline bytes: each row's bytes plus its filter byte, over the seven Adam7 passes when interlaced.</summary>
    private static long ImageDataBytes(int width, int height, int bitsPerPixel, bool interlaced)
    {
        static long Pass(long w, long h, int bits) => w == 0 || h == 0 ? 0 : h * (1 + (w * bits + 7) / 8);
        if (!interlaced)
            return Pass(width, height, bitsPerPixel);
        ReadOnlySpan<(int X, int Y, int Dx, int Dy)> passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
        long total = 0;
        foreach (var (x, y, dx, dy) in passes)
            total += Pass(width > x ? (width - x + dx - 1) / dx : 0, height > y ? (height - y + dy - 1) / dy : 0, bitsPerPixel);
        return total;
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
