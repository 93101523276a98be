using Microsoft.Net.Http.Headers;

namespace UploadGuard.Gateway.Protection;

/// <summary>One part of a multipart body: its header lines in order (no name twice) and where its content lies in the raw bytes.</summary>
public sealed record MultipartPart(int Index, OrderedDictionary<string, string> Headers, int BodyStart, int BodyEnd)
{
    public const string ContentLengthHeader = "Content-Length";

    public int Length => BodyEnd - BodyStart;

    /// <summary>Each header line as it came (name, then the whole line), in order: what the gateway writes upstream.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> RawHeaders { get; init; } = [];

    /// <summary>The form field name, or a positional name when there is none.</summary>
    public string Name => Disposition?.Name.Value?.Trim('"') is { Length: > 0 } name ? name : $"part {Index}";

    /// <summary>The client's file name (untrusted; used only to decide whether the part claims to be an image).</summary>
    public string? FileName
    {
        get
        {
            if (Disposition is not { } d) return null;
            try
            {
                return d.FileNameStar.Value ?? d.FileName.Value?.Trim('"');
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                // FileNameStar throws on a bare "filename*" parameter with no value, and on a charset the runtime
                // refuses to decode ("filename*=UTF-7''..."): both found by fuzzing, both were a 500.
                return d.FileName.Value?.Trim('"');
            }
        }
    }

    public string? ContentType => Headers.TryGetValue("Content-Type", out var value) ? value : null;

    private ContentDispositionHeaderValue? Disposition =>
        Headers.TryGetValue("Content-Disposition", out var value) && ContentDispositionHeaderValue.TryParse(value, out var parsed) ? parsed : null;
}
