using System.Text.Json;

namespace UploadGuard.Bench.Load;

/// <summary>One request the test upstream (tests/TestUpstream) recorded: its .json metadata and .body file.</summary>
public sealed record UpstreamRecord(string Path, string? ContentType, byte[] Body, bool Complete)
{
    /// <summary>Every complete record in the upstream's folder whose path starts with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<UpstreamRecord> Read(string folder, string prefix)
    {
        var result = new List<UpstreamRecord>();
        foreach (var meta in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(meta));
            var root = doc.RootElement;
            var path = root.GetProperty("path").GetString()!;
            if (!path.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string? contentType = null;
            foreach (var header in root.GetProperty("headers").EnumerateObject())
                if (header.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = header.Value.GetString();
            bool complete = !root.TryGetProperty("complete", out var c) || c.GetBoolean();
            result.Add(new UpstreamRecord(path, contentType, File.ReadAllBytes(System.IO.Path.ChangeExtension(meta, ".body")), complete));
        }
        return result;
    }
}
