using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// Reads and writes the safetensors layout: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data. Loading parses data and executes nothing, unlike
/// pickle-based checkpoints. Only F32 tensors are accepted.
/// </summary>
public static class SafeTensorsFormat
{
    private const long MaxHeaderBytes = 16 * 1024 * 1024;
    private const string MetadataKey = "__metadata__";

    public static byte[] Write(IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header[MetadataKey] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));

        long offset = 0;
        foreach (var t in list)
        {
            if (t.Data.LongLength != Elements(t.Shape))
                throw new ArgumentException($"Tensor '{t.Name}' has {t.Data.LongLength} values but shape [{string.Join(", ", t.Shape)}].");
            long end = offset + t.Data.LongLength * sizeof(float);
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(end)),
            };
            offset = end;
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + 7) / 8 * 8;   // keep the data 8-byte aligned, padded with spaces as the format allows
        using var output = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        output.Write(length);
        output.Write(headerBytes);
        for (int i = headerBytes.Length; i < padded; i++) output.WriteByte((byte)' ');
        foreach (var t in list)
            output.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));   // x86-64 and arm64 are little-endian
        return output.ToArray();
    }

    public static IReadOnlyDictionary<string, NamedTensor> Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8)
            throw new ModelIntegrityException("Weights file is shorter than its header.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8)
            throw new ModelIntegrityException($"Weights file header length {headerLength} is out of range.");
        var data = file[(8 + (int)headerLength)..];

        JsonObject header;
        try
        {
            header = JsonNode.Parse(file.Slice(8, (int)headerLength))?.AsObject()
                ?? throw new ModelIntegrityException("Weights file header is empty.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new ModelIntegrityException("Weights file header is not a JSON object.", ex);
        }

        var result = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        var ranges = new List<(long Begin, long End)>();
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey) continue;
            try
            {
                var entry = node!.AsObject();
                if ((string?)entry["dtype"] != "F32")
                    throw new ModelIntegrityException($"Tensor '{name}' is {(string?)entry["dtype"]}; only F32 is supported.");
                long[] shape = entry["shape"]!.AsArray().Select(d => (long)d!).ToArray();
                var offsets = entry["data_offsets"]!.AsArray();
                long begin = (long)offsets[0]!, end = (long)offsets[1]!;
                long expected = Elements(shape) * sizeof(float);
                if (shape.Any(d => d < 0) || begin < 0 || end > data.Length || end - begin != expected)
                    throw new ModelIntegrityException($"Tensor '{name}' has an inconsistent shape or byte range.");
                var values = MemoryMarshal.Cast<byte, float>(data[(int)begin..(int)end]).ToArray();
                result.Add(name, new NamedTensor(name, shape, values));
                ranges.Add((begin, end));
            }
            catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or FormatException or OverflowException or ArgumentException)
            {
                throw new ModelIntegrityException($"Tensor '{name}' has a malformed header entry.", ex);
            }
        }

        // Tensors must tile the data exactly: no overlaps, no gaps, no trailing bytes.
        long next = 0;
        foreach (var (begin, end) in ranges.OrderBy(r => r.Begin))
        {
            if (begin != next)
                throw new ModelIntegrityException("Weights file tensors overlap or leave gaps.");
            next = end;
        }
        if (next != data.Length)
            throw new ModelIntegrityException("Weights file holds bytes that no tensor accounts for.");
        return result;
    }

    private static long Elements(long[] shape) => shape.Aggregate(1L, (a, d) => checked(a * d));
}
