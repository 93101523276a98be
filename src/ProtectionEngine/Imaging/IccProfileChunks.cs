using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>
/// Reads and writes ICC profiles in PNG (iCCP) and WebP (ICCP) containers, which ImageSharp 2.1 neither reads nor
/// writes. JPEG profiles go through ImageSharp's own metadata. Colour-managed photos would otherwise shift colour
/// after protection, which users see as damage.
/// </summary>
internal static class IccProfileChunks
{
    private const int PngSignatureLength = 8;
    private const byte WebpIccFlag = 0x20;
    private const byte WebpAlphaFlag = 0x10;

    /// <summary>The embedded profile of a PNG or WebP file, or null.</summary>
    public static byte[]? Extract(ReadOnlySpan<byte> encoded, ImageFormatKind format)
    {
        try
        {
            return format switch
            {
                ImageFormatKind.Png => ExtractPng(encoded),
                ImageFormatKind.Webp => ExtractWebp(encoded),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return null;   // A damaged profile is dropped; the pixels are still decoded and checked on their own.
        }
    }

    /// <summary>Returns <paramref name="encoded"/> with <paramref name="profile"/> embedded (PNG and WebP only).</summary>
    public static byte[] Embed(byte[] encoded, ImageFormatKind format, byte[] profile, bool hasAlpha, int width, int height) => format switch
    {
        ImageFormatKind.Png => EmbedPng(encoded, profile),
        ImageFormatKind.Webp => EmbedWebp(encoded, profile, hasAlpha, width, height),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "JPEG profiles are written by the encoder."),
    };

    private static byte[]? ExtractPng(ReadOnlySpan<byte> png)
    {
        int offset = PngSignatureLength;
        while (offset + 12 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png[offset..]);
            if (length < 0 || offset + 12 + length > png.Length) return null;
            var type = png.Slice(offset + 4, 4);
            if (type.SequenceEqual("iCCP"u8))
            {
                var data = png.Slice(offset + 8, length);
                int nul = data.IndexOf((byte)0);
                if (nul < 1 || nul + 2 > data.Length || data[nul + 1] != 0) return null;
                using var input = new MemoryStream(data[(nul + 2)..].ToArray());
                using var zlib = new ZLibStream(input, CompressionMode.Decompress);
                using var output = new MemoryStream();
                CopyBounded(zlib, output, 16 * 1024 * 1024);
                return output.ToArray();
            }
            if (type.SequenceEqual("IDAT"u8)) return null;   // iCCP must come before the image data
            offset += 12 + length;
        }
        return null;
    }

    private static byte[] EmbedPng(byte[] png, byte[] profile)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(profile);
        byte[] data = [.. "ICC Profile"u8, 0, 0, .. compressed.ToArray()];

        int ihdrEnd = PngSignatureLength + 12 + BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(PngSignatureLength));
        using var output = new MemoryStream(png.Length + data.Length + 12);
        output.Write(png, 0, ihdrEnd);
        WritePngChunk(output, "iCCP", data);
        output.Write(png, ihdrEnd, png.Length - ihdrEnd);
        return output.ToArray();
    }

    private static byte[]? ExtractWebp(ReadOnlySpan<byte> webp)
    {
        int offset = 12;
        while (offset + 8 <= webp.Length)
        {
            int size = BinaryPrimitives.ReadInt32LittleEndian(webp[(offset + 4)..]);
            if (size < 0 || offset + 8 + size > webp.Length) return null;
            if (webp.Slice(offset, 4).SequenceEqual("ICCP"u8))
                return webp.Slice(offset + 8, size).ToArray();
            offset += 8 + size + (size & 1);
        }
        return null;
    }

    private static byte[] EmbedWebp(byte[] webp, byte[] profile, bool hasAlpha, int width, int height)
    {
        // Collect the chunks after "RIFF....WEBP", dropping any VP8X or ICCP we will write ourselves.
        var chunks = new List<(string Type, byte[] Data)>();
        byte flags = 0;
        int offset = 12;
        while (offset + 8 <= webp.Length)
        {
            string type = Encoding.ASCII.GetString(webp, offset, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(webp.AsSpan(offset + 4));
            var data = webp.AsSpan(offset + 8, size).ToArray();
            if (type == "VP8X") flags = data[0];
            else if (type != "ICCP") chunks.Add((type, data));
            offset += 8 + size + (size & 1);
        }

        flags |= WebpIccFlag;
        if (hasAlpha) flags |= WebpAlphaFlag;
        var vp8x = new byte[10];
        vp8x[0] = flags;
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);

        using var body = new MemoryStream();
        body.Write("WEBP"u8);
        WriteRiffChunk(body, "VP8X", vp8x);
        WriteRiffChunk(body, "ICCP", profile);
        foreach (var (type, data) in chunks) WriteRiffChunk(body, type, data);

        using var output = new MemoryStream((int)body.Length + 8);
        output.Write("RIFF"u8);
        Span<byte> size32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(size32, (int)body.Length);
        output.Write(size32);
        body.Position = 0;
        body.CopyTo(output);
        return output.ToArray();
    }

    private static void WriteRiffChunk(Stream output, string type, byte[] data)
    {
        output.Write(Encoding.ASCII.GetBytes(type));
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(size, data.Length);
        output.Write(size);
        output.Write(data);
        if ((data.Length & 1) != 0) output.WriteByte(0);
    }

    private static void WritePngChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        output.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        output.Write(crc);
    }

    private static void WriteUInt24(Span<byte> target, int value)
    {
        target[0] = (byte)value;
        target[1] = (byte)(value >> 8);
        target[2] = (byte)(value >> 16);
    }

    private static void CopyBounded(Stream input, Stream output, long limit)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            if (output.Length + read > limit) throw new InvalidDataException("ICC profile is implausibly large.");
            output.Write(buffer, 0, read);
        }
    }

    /// <summary>CRC-32 as PNG defines it (ISO 3309, reflected 0xEDB88320).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
