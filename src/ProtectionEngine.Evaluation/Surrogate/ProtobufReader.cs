using System.Buffers.Binary;

namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>
/// A forward-only reader of the protobuf wire format over bytes already in memory. Every length is checked against what
/// remains before it is used, so a truncated or hostile file ends in <see cref="OnnxFormatException"/>, never in an
/// out-of-range read or a huge allocation.
/// </summary>
internal ref struct ProtobufReader
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> data;
    private readonly long baseOffset;
    private readonly string message;
    private readonly string source;
    private int position;

    /// <param name="data">The bytes of one message.</param>
    /// <param name="baseOffset">Where those bytes start in the file, so that errors point at the file, not the message.</param>
    /// <param name="message">The message type being read, for errors.</param>
    /// <param name="source">The file being read, for errors.</param>
    public ProtobufReader(ReadOnlySpan<byte> data, long baseOffset, string message, string source)
    {
        this.data = data;
        this.baseOffset = baseOffset;
        this.message = message;
        this.source = source;
    }

    public readonly bool AtEnd => position >= data.Length;

    /// <summary>Offset in the file of the next unread byte.</summary>
    public readonly long FileOffset => baseOffset + position;

    public (int Field, int WireType) ReadTag()
    {
        long tagOffset = FileOffset;
        ulong tag = ReadVarint();
        int wireType = (int)(tag & 7);
        ulong field = tag >> 3;
        if (field is 0 or > 536_870_911)
            throw Error($"invalid field number {field} at offset {tagOffset}");
        if (wireType is not (Varint or Fixed64 or LengthDelimited or Fixed32))
            throw Error($"unsupported wire type {wireType} for field {field} at offset {tagOffset}");
        return ((int)field, wireType);
    }

    public ulong ReadVarint()
    {
        long start = FileOffset;
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
                throw Error($"a varint at offset {start} runs past the end");
            byte b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw Error($"a varint at offset {start} is longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadLengthDelimited(int field, out long fileOffset)
    {
        long lengthOffset = FileOffset;
        ulong length = ReadVarint();
        int remaining = data.Length - position;
        if (length > (ulong)remaining)
            throw Error($"field {field} at offset {lengthOffset} claims {length} bytes but only {remaining} remain");
        fileOffset = FileOffset;
        var slice = data.Slice(position, (int)length);
        position += (int)length;
        return slice;
    }

    public uint ReadFixed32(int field)
    {
        if (data.Length - position < 4)
            throw Error($"field {field} at offset {FileOffset} needs 4 bytes but only {data.Length - position} remain");
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(data[position..]);
        position += 4;
        return value;
    }

    public void Skip(int field, int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                if (data.Length - position < 8)
                    throw Error($"field {field} at offset {FileOffset} needs 8 bytes but only {data.Length - position} remain");
                position += 8;
                break;
            case LengthDelimited:
                ReadLengthDelimited(field, out _);
                break;
            default:
                ReadFixed32(field);
                break;
        }
    }

    public readonly OnnxFormatException Error(string detail) =>
        new($"'{source}' is truncated or is not a valid ONNX file: in {message}, {detail}.");
}
