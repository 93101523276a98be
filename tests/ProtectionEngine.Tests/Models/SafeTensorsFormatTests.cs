using System.Buffers.Binary;
using System.Text;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.ProtectionEngine.Tests.Models;

public sealed class SafeTensorsFormatTests
{
    [Fact]
    public void Round_trips_names_shapes_and_values()
    {
        var tensors = new[]
        {
            new NamedTensor("b.bias", [3], [1f, -2.5f, float.Epsilon]),
            new NamedTensor("a.weight", [2, 2], [0.1f, 0.2f, 0.3f, 0.4f]),
            new NamedTensor("scalar", [], [42f]),
        };
        var bytes = SafeTensorsFormat.Write(tensors, new Dictionary<string, string> { ["version"] = "x" });
        Assert.Equal(0, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);

        var read = SafeTensorsFormat.Read(bytes);
        Assert.Equal(3, read.Count);
        foreach (var t in tensors)
        {
            Assert.Equal(t.Shape, read[t.Name].Shape);
            Assert.Equal(t.Data, read[t.Name].Data);
        }
    }

    public static TheoryData<string, byte[]> Malformed() => new()
    {
        { "too short", [1, 2, 3] },
        { "header longer than file", Header(1000, "{}") },
        { "not json", Header("not json at all") },
        { "json array", Header("[1,2,3]") },
        { "wrong dtype", Header("""{"w":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}""", 2) },
        { "range past end", Header("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8) },
        { "shape disagrees with range", Header("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8) },
        { "overlapping tensors", Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 16) },
        { "trailing bytes", Header("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 12) },
        { "missing fields", Header("""{"w":{"dtype":"F32"}}""", 4) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_are_refused_with_a_typed_error(string name, byte[] file)
    {
        var ex = Assert.Throws<ModelIntegrityException>(() => SafeTensorsFormat.Read(file));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message), name);
    }

    private static byte[] Header(string json, int dataBytes = 0) => Header(Encoding.UTF8.GetByteCount(json), json, dataBytes);

    private static byte[] Header(long declared, string json, int dataBytes = 0)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var file = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)declared);
        header.CopyTo(file, 8);
        return file;
    }
}
