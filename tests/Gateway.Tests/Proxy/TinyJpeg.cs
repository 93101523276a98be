namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>
/// A minimal baseline JPEG writer for colour models ImageSharp cannot encode: CMYK and YCCK (Adobe APP14 marker,
/// four components). Every 8x8 block is one flat colour (DC coefficients only, all quantisers 1), which is enough for
/// a decoder to run its full CMYK/YCCK colour conversion.
/// </summary>
public static class TinyJpeg
{
    /// <summary>Adobe transform flag: 0 = CMYK stored as is, 2 = YCCK.</summary>
    public enum Adobe : byte
    {
        Cmyk = 0,
        Ycck = 2,
    }

    // The standard luminance DC table (ITU T.81 K.3): code lengths per bit count, then symbols 0..11.
    private static readonly byte[] DcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] DcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    /// <summary>A <paramref name="width"/> x <paramref name="height"/> four-component JPEG; each component varies per block.</summary>
    public static byte[] FourComponent(int width, int height, Adobe transform)
    {
        using var output = new MemoryStream();
        void Marker(byte code, ReadOnlySpan<byte> payload)
        {
            output.WriteByte(0xFF);
            output.WriteByte(code);
            output.WriteByte((byte)((payload.Length + 2) >> 8));
            output.WriteByte((byte)(payload.Length + 2));
            output.Write(payload);
        }

        output.Write([0xFF, 0xD8]);
        Marker(0xEE, [.. "Adobe"u8, 0, 100, 0, 0, 0, 0, (byte)transform]);
        Marker(0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        const int components = 4;
        var sof = new List<byte> { 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, components };
        for (byte c = 1; c <= components; c++) sof.AddRange([c, 0x11, 0]);
        Marker(0xC0, sof.ToArray());
        Marker(0xC4, [0x00, .. DcBits, .. DcValues]);
        // An AC table with one symbol, end-of-block, coded as the single bit 0: every block ends right after its DC.
        Marker(0xC4, [0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]);
        var sos = new List<byte> { components };
        for (byte c = 1; c <= components; c++) sos.AddRange([c, 0x00]);
        sos.AddRange([0, 63, 0]);
        Marker(0xDA, sos.ToArray());

        var codes = CanonicalCodes(DcBits, DcValues);
        var bits = new BitWriter(output);
        var previous = new int[components];
        int blocksX = (width + 7) / 8, blocksY = (height + 7) / 8;
        for (int by = 0; by < blocksY; by++)
        {
            for (int bx = 0; bx < blocksX; bx++)
            {
                for (int c = 0; c < components; c++)
                {
                    int level = (40 + (bx * 37 + by * 53 + c * 71) % 180) & 0xFF;
                    int dc = 8 * (level - 128);   // the DC coefficient of a flat block, quantiser 1
                    int diff = dc - previous[c];
                    previous[c] = dc;
                    int category = diff == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(diff));
                    var (length, code) = codes[category];
                    bits.Write(code, length);
                    if (category > 0) bits.Write(diff > 0 ? diff : diff - 1 + (1 << category), category);
                    bits.Write(0, 1);   // end of block
                }
            }
        }
        bits.Flush();
        output.Write([0xFF, 0xD9]);
        return output.ToArray();
    }

    private static Dictionary<int, (int Length, int Code)> CanonicalCodes(byte[] bits, byte[] values)
    {
        var codes = new Dictionary<int, (int, int)>();
        int code = 0, k = 0;
        for (int length = 1; length <= 16; length++)
        {
            for (int i = 0; i < bits[length - 1]; i++)
                codes[values[k++]] = (length, code++);
            code <<= 1;
        }
        return codes;
    }

    private sealed class BitWriter(Stream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (int i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8) Emit();
            }
        }

        public void Flush()
        {
            while (_count != 0) Write(1, 1);   // pad with ones, as T.81 asks
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF) output.WriteByte(0);   // byte stuffing
            _buffer = 0;
            _count = 0;
        }
    }
}
