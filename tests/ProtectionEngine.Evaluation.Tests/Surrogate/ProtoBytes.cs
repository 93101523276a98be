using System.Text;

namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

/// <summary>Writes just enough protobuf to build small ONNX files by hand, for the reader's edge cases.</summary>
public sealed class ProtoBytes
{
    private readonly List<byte> bytes = [];

    public byte[] ToArray() => [.. bytes];

    public ProtoBytes Varint(int field, ulong value) => Tag(field, 0).Raw(value);

    public ProtoBytes Fixed32(int field, float value)
    {
        Tag(field, 5);
        bytes.AddRange(BitConverter.GetBytes(value));
        return this;
    }

    public ProtoBytes Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2).Raw((ulong)value.Length);
        bytes.AddRange(value);
        return this;
    }

    public ProtoBytes Message(int field, ProtoBytes message) => Bytes(field, message.ToArray());

    public ProtoBytes Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoBytes PackedFloats(int field, params float[] values) =>
        Bytes(field, values.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>A length prefix claiming <paramref name="length"/> bytes, with none of them written.</summary>
    public ProtoBytes ClaimedLength(int field, ulong length) => Tag(field, 2).Raw(length);

    /// <summary>ModelProto { graph { initializer... }, opset_import { version 8 } }.</summary>
    public static byte[] Model(params ProtoBytes[] initializers)
    {
        var graph = new ProtoBytes();
        foreach (var initializer in initializers)
            graph.Message(5, initializer);
        return new ProtoBytes().Varint(1, 3).Message(7, graph).Message(8, new ProtoBytes().Varint(2, 8)).ToArray();
    }

    /// <summary>TensorProto with name, dims and data type; data is added by the caller.</summary>
    public static ProtoBytes Tensor(string name, long[] dims, int dataType = 1)
    {
        var tensor = new ProtoBytes();
        foreach (long d in dims)
            tensor.Varint(1, (ulong)d);
        return tensor.Varint(2, (ulong)dataType).Text(8, name);
    }

    private ProtoBytes Tag(int field, int wireType) => Raw(((ulong)field << 3) | (uint)wireType);

    private ProtoBytes Raw(ulong value)
    {
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return this;
    }
}
