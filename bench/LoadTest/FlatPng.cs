using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace UploadGuard.Bench.Load;

/// <summary>
/// An 8-bit grey PNG of one value, written chunk by chunk: a few tens of KB on the wire for tens of millions of
/// pixels once decoded (the decode-budget benchmark's giants, and the bad-input corpus's real bomb).
/// </summary>
public static class FlatPng
{
    public static byte[] Grey(int width, int height, byte value)
    {
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1];   // filter byte 0, then the value
            Array.Fill(row, value, 1, width);
            for (int y = 0; y < height; y++) zlib.Write(row);
        }
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;   // bit depth; colour type 0 (grey), no interlace
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", idat.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>One chunk: length, type, data and the CRC-32 of type and data.</summary>
    public static void WriteChunk(Stream output, string type, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(output);
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header.AsSpan(4));
        output.Write(header);
        output.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32([.. header.AsSpan(4), .. data]));
        output.Write(crc);
    }
}
