using UploadGuard.ProtectionEngine.Surrogate;

namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

public sealed class OnnxInitializerReaderTests
{
    private static readonly float[] Six = [1f, -2f, 3.5f, 0f, float.Epsilon, 1e30f];

    [Fact]
    public void Reads_packed_float_data()
    {
        var file = ProtoBytes.Model(ProtoBytes.Tensor("w", [2, 3]).PackedFloats(4, Six));
        var tensor = OnnxInitializerReader.Read(file, "test")["w"];
        Assert.Equal([2L, 3L], tensor.Dims);
        Assert.Equal(Six, tensor.Data);
    }

    [Fact]
    public void Reads_unpacked_float_data()
    {
        var tensor = ProtoBytes.Tensor("w", [6]);
        foreach (float v in Six)
            tensor.Fixed32(4, v);
        Assert.Equal(Six, OnnxInitializerReader.Read(ProtoBytes.Model(tensor), "test")["w"].Data);
    }

    [Fact]
    public void Reads_raw_data_and_packed_dims()
    {
        var tensor = new ProtoBytes().Bytes(1, [3, 2]).Varint(2, 1).Text(8, "w")
            .Bytes(9, Six.SelectMany(BitConverter.GetBytes).ToArray());
        var read = OnnxInitializerReader.Read(ProtoBytes.Model(tensor), "test")["w"];
        Assert.Equal([3L, 2L], read.Dims);
        Assert.Equal(Six, read.Data);
    }

    [Fact]
    public void Reads_the_real_model_initializers()
    {
        var initializers = OnnxInitializerReader.Read(ResNet18OnnxFiles.Locate().Model);
        Assert.Equal(110, initializers.Count);
        Assert.InRange(initializers.Values.Sum(t => t.Data.LongLength), 15_800_000, 16_000_000);   // FINDINGS: 15.9 M
        Assert.Equal([64L, 3L, 7L, 7L], initializers["Parameter91"].Dims);
    }

    [Theory]
    [InlineData(1_000_000)]       // inside the graph
    [InlineData(63_653_533 - 3)]  // inside the opset import that follows the graph
    public void Refuses_a_truncated_model_file(int keep)
    {
        string path = Path.Combine(Path.GetTempPath(), $"uploadguard-truncated-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var source = File.OpenRead(ResNet18OnnxFiles.Locate().Model))
            using (var target = File.Create(path))
            {
                Assert.True(source.Length > keep);
                var buffer = new byte[keep];
                source.ReadExactly(buffer);
                target.Write(buffer);
            }
            var ex = Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(path));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
            Assert.Contains("remain", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Refuses_a_file_cut_exactly_after_the_graph()
    {
        var whole = ProtoBytes.Model(ProtoBytes.Tensor("w", [1]).PackedFloats(4, 1f));
        var withoutOpset = whole[..^4];   // the opset import is the last 4 bytes: tag, length, tag, 8
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(withoutOpset, "cut"));
        Assert.Contains("opset_import", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_empty_file() =>
        Assert.Contains("no graph", Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read([], "empty")).Message, StringComparison.Ordinal);

    [Fact]
    public void Refuses_a_huge_claimed_length_without_allocating_it()
    {
        var file = new ProtoBytes().ClaimedLength(7, 1UL << 40).ToArray();
        Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(file, "huge"));
    }

    [Fact]
    public void Refuses_a_value_count_that_does_not_match_the_shape()
    {
        var file = ProtoBytes.Model(ProtoBytes.Tensor("w", [2, 4]).PackedFloats(4, Six));
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(file, "short"));
        Assert.Contains("needs 8 values but float_data has 6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_raw_data_of_the_wrong_length()
    {
        var file = ProtoBytes.Model(ProtoBytes.Tensor("w", [2]).Bytes(9, new byte[7]));
        Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(file, "raw"));
    }

    [Fact]
    public void Refuses_non_float_tensors()
    {
        var file = ProtoBytes.Model(ProtoBytes.Tensor("i", [1], dataType: 7).Varint(7, 5));
        Assert.Contains("only float32", Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(file, "int64")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_duplicate_names_and_absurd_shapes()
    {
        var twice = ProtoBytes.Model(ProtoBytes.Tensor("w", [1]).PackedFloats(4, 1f), ProtoBytes.Tensor("w", [1]).PackedFloats(4, 2f));
        Assert.Contains("twice", Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(twice, "dup")).Message, StringComparison.Ordinal);

        var huge = ProtoBytes.Model(ProtoBytes.Tensor("w", [1L << 20, 1L << 20]).PackedFloats(4, 1f));
        Assert.Contains("out-of-range shape", Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(huge, "huge")).Message, StringComparison.Ordinal);

        var negative = ProtoBytes.Model(ProtoBytes.Tensor("w", [-1]).PackedFloats(4, 1f));
        Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(negative, "negative"));
    }

    [Fact]
    public void Refuses_external_data()
    {
        var file = ProtoBytes.Model(ProtoBytes.Tensor("w", [1]).Varint(14, 1));
        Assert.Contains("external", Assert.Throws<OnnxFormatException>(() => OnnxInitializerReader.Read(file, "ext")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"uploadguard-missing-{Guid.NewGuid():N}", "ResNet18.onnx");
        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => OnnxInitializerReader.Read(path)).Message, StringComparison.Ordinal);
        var located = Assert.Throws<FileNotFoundException>(() => ResNet18OnnxFiles.Locate(path));
        Assert.Contains(path, located.Message, StringComparison.Ordinal);
        Assert.Contains(ResNet18OnnxFiles.ModelPathVariable, located.Message, StringComparison.Ordinal);
    }
}
