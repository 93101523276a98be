using System.Runtime.InteropServices;
using System.Text;

namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>
/// Reads the float32 initializers (the weights) of an ONNX model: ModelProto.graph, GraphProto.initializer and the
/// TensorProto fields name, dims, data_type, float_data (packed or not) and raw_data. Nodes and everything else are
/// skipped; the architecture lives in code. Written for the few fields needed rather than taking a protobuf dependency,
/// and checked at every step because even a file from the package cache can be truncated or tampered with.
/// </summary>
internal static class OnnxInitializerReader
{
    /// <summary>Protobuf messages cannot exceed 2 GiB; the models read here are tens of MB.</summary>
    public const long MaxFileBytes = 1L << 30;

    private const long MaxElements = 1L << 28;
    private const int MaxRank = 8;
    private const int FloatDataType = 1;
    private const int ExternalDataLocation = 1;

    // Field numbers from onnx.proto (IR version 3 and later keep them).
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;
    private const int GraphInitializer = 5;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorSegment = 3;
    private const int TensorFloatData = 4;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;

    public static IReadOnlyDictionary<string, OnnxTensor> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"ONNX file '{path}' does not exist.", path);
        if (info.Length > MaxFileBytes)
            throw new OnnxFormatException($"'{path}' is {info.Length} bytes; ONNX files over {MaxFileBytes} bytes are not read.");
        return Read(File.ReadAllBytes(path), path);
    }

    public static IReadOnlyDictionary<string, OnnxTensor> Read(ReadOnlySpan<byte> file, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (file.Length > MaxFileBytes)
            throw new OnnxFormatException($"'{source}' is {file.Length} bytes; ONNX files over {MaxFileBytes} bytes are not read.");

        var reader = new ProtobufReader(file, 0, "ModelProto", source);
        Dictionary<string, OnnxTensor>? initializers = null;
        bool sawOpsetImport = false;
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field)
            {
                case ModelGraph:
                    ExpectWireType(ref reader, field, wireType, ProtobufReader.LengthDelimited);
                    if (initializers is not null)
                        throw reader.Error("the graph field appears twice");
                    var graph = reader.ReadLengthDelimited(field, out long graphOffset);
                    initializers = ReadGraph(graph, graphOffset, source);
                    break;
                case ModelOpsetImport:
                    ExpectWireType(ref reader, field, wireType, ProtobufReader.LengthDelimited);
                    reader.Skip(field, wireType);
                    sawOpsetImport = true;
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        // Both are required by ONNX; the opset import is written after the graph, so its absence also reveals a file cut
        // short exactly at the end of the graph.
        if (initializers is null)
            throw reader.Error("there is no graph");
        if (!sawOpsetImport)
            throw reader.Error("there is no opset_import");
        return initializers;
    }

    private static Dictionary<string, OnnxTensor> ReadGraph(ReadOnlySpan<byte> graph, long offset, string source)
    {
        var reader = new ProtobufReader(graph, offset, "GraphProto", source);
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            if (field != GraphInitializer)
            {
                reader.Skip(field, wireType);
                continue;
            }
            ExpectWireType(ref reader, field, wireType, ProtobufReader.LengthDelimited);
            var tensorBytes = reader.ReadLengthDelimited(field, out long tensorOffset);
            var tensor = ReadTensor(tensorBytes, tensorOffset, source);
            if (!initializers.TryAdd(tensor.Name, tensor))
                throw reader.Error($"initializer '{tensor.Name}' appears twice");
        }
        return initializers;
    }

    private static OnnxTensor ReadTensor(ReadOnlySpan<byte> tensor, long offset, string source)
    {
        var reader = new ProtobufReader(tensor, offset, "TensorProto", source);
        var dims = new List<long>();
        var floats = new List<float>();
        bool sawFloatData = false;
        ReadOnlySpan<byte> raw = default;
        bool sawRawData = false;
        long dataType = 0;
        string? name = null;

        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field)
            {
                case TensorDims when wireType == ProtobufReader.Varint:
                    dims.Add((long)reader.ReadVarint());
                    break;
                case TensorDims:
                    ExpectWireType(ref reader, field, wireType, ProtobufReader.LengthDelimited);
                    var packed = new ProtobufReader(reader.ReadLengthDelimited(field, out long dimsOffset), dimsOffset, "TensorProto.dims", source);
                    while (!packed.AtEnd)
                        dims.Add((long)packed.ReadVarint());
                    break;
                case TensorDataType:
                    ExpectWireType(ref reader, field, wireType, ProtobufReader.Varint);
                    dataType = (long)reader.ReadVarint();
                    break;
                case TensorFloatData when wireType == ProtobufReader.Fixed32:
                    floats.Add(BitConverter.UInt32BitsToSingle(reader.ReadFixed32(field)));
                    sawFloatData = true;
                    break;
                case TensorFloatData:
                    ExpectWireType(ref reader, field, wireType, ProtobufReader.LengthDelimited);
                    var values = reader.ReadLengthDelimited(field, out long valuesOffset);
                    if (values.Length % sizeof(float) != 0)
                        throw reader.Error($"packed float_data at offset {valuesOffset} is {values.Length} bytes, not a multiple of 4");
                    floats.AddRange(MemoryMarshal.Cast<byte, float>(values));   // x86-64 and arm64 are little-endian, as is the wire format
                    sawFloatData = true;
                    break;
                case TensorName:
                    ExpectWireType(ref reader, field, wireType, ProtobufReader.LengthDelimited);
                    name = DecodeName(ref reader, reader.ReadLengthDelimited(field, out _));
                    break;
                case TensorRawData:
                    ExpectWireType(ref reader, field, wireType, ProtobufReader.LengthDelimited);
                    if (sawRawData)
                        throw reader.Error("raw_data appears twice");
                    raw = reader.ReadLengthDelimited(field, out _);
                    sawRawData = true;
                    break;
                case TensorSegment:
                    throw reader.Error("segmented tensors are not supported");
                case TensorExternalData:
                    throw reader.Error("tensors stored in external files are not supported");
                case TensorDataLocation:
                    ExpectWireType(ref reader, field, wireType, ProtobufReader.Varint);
                    if (reader.ReadVarint() == ExternalDataLocation)
                        throw reader.Error("tensors stored in external files are not supported");
                    break;
                default:
                    reader.Skip(field, wireType);
                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
            throw reader.Error("an initializer has no name");
        if (dataType != FloatDataType)
            throw reader.Error($"initializer '{name}' has data type {dataType}; only float32 ({FloatDataType}) is supported");
        long elements = CountElements(ref reader, name, dims);
        if (sawRawData && sawFloatData)
            throw reader.Error($"initializer '{name}' has both raw_data and float_data");

        float[] data;
        if (sawRawData)
        {
            if (raw.Length != elements * sizeof(float))
                throw reader.Error($"initializer '{name}' of shape [{string.Join(", ", dims)}] needs {elements * sizeof(float)} bytes of raw_data but has {raw.Length}");
            data = MemoryMarshal.Cast<byte, float>(raw).ToArray();
        }
        else
        {
            if (floats.Count != elements)
                throw reader.Error($"initializer '{name}' of shape [{string.Join(", ", dims)}] needs {elements} values but float_data has {floats.Count}");
            data = floats.ToArray();
        }
        return new OnnxTensor(name, dims.ToArray(), data);
    }

    private static long CountElements(ref ProtobufReader reader, string name, List<long> dims)
    {
        if (dims.Count > MaxRank)
            throw reader.Error($"initializer '{name}' has {dims.Count} dimensions; at most {MaxRank} are supported");
        long elements = 1;
        foreach (long d in dims)
        {
            // A dimension read as a varint over 2^63 shows up negative; the element cap also keeps the product from overflowing.
            if (d < 0 || d > MaxElements || (elements *= d) > MaxElements)
                throw reader.Error($"initializer '{name}' has an out-of-range shape [{string.Join(", ", dims)}]");
        }
        return elements;
    }

    private static string DecodeName(ref ProtobufReader reader, ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new OnnxFormatException(reader.Error("an initializer name is not valid UTF-8").Message, ex);
        }
    }

    private static void ExpectWireType(ref ProtobufReader reader, int field, int actual, int expected)
    {
        if (actual != expected)
            throw reader.Error($"field {field} has wire type {actual}, expected {expected}");
    }
}
