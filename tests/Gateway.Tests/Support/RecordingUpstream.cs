using System.Text.Json;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>The TestUpstream server as a real process, and what it has recorded.</summary>
public sealed class RecordingUpstream : IAsyncLifetime
{
    private readonly string _record = Directory.CreateTempSubdirectory("uploadguard-upstream-").FullName;
    private ChildProcess? _process;

    public Uri Address => _process!.Address;

    /// <param name="Complete">False when the upstream cut the connection before the body ended (the /cut route).</param>
    public sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool Complete = true);

    public async Task InitializeAsync() =>
        _process = await ChildProcess.StartAsync("UploadGuard.TestUpstream.dll", new Dictionary<string, string>(), "--record", _record);

    public async Task DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        Directory.Delete(_record, recursive: true);
    }

    /// <summary>Requests recorded so far whose path starts with <paramref name="prefix"/>, oldest first.</summary>
    public IReadOnlyList<Request> Received(string prefix)
    {
        var result = new List<Request>();
        foreach (var meta in Directory.GetFiles(_record, "*.json").Order())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(meta));
            var root = doc.RootElement;
            var path = root.GetProperty("path").GetString()!;
            if (!path.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var headers = root.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
            bool complete = !root.TryGetProperty("complete", out var c) || c.GetBoolean();
            result.Add(new Request(root.GetProperty("method").GetString()!, path, headers, File.ReadAllBytes(Path.ChangeExtension(meta, ".body")), complete));
        }
        return result;
    }
}
