using UploadGuard.Gateway.Protection;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>The gateway's own parser on test bodies, given a boundary or a whole Content-Type.</summary>
public static class Multipart
{
    public static MultipartBody Parse(byte[] raw, string boundary) => ParseTyped(raw, $"multipart/form-data; boundary=\"{boundary}\"");

    /// <summary>A body as framed by whoever sent it with <paramref name="contentType"/> (the gateway's own boundary upstream).</summary>
    public static MultipartBody ParseTyped(byte[] raw, string contentType) =>
        StrictMediaType.TryParse(contentType, out var type) ? MultipartBody.Parse(raw, type!) : throw new FormatException($"Unreadable Content-Type '{contentType}'.");

    /// <summary>What the upstream received, parsed with the Content-Type it received.</summary>
    public static MultipartBody Form(this RecordingUpstream.Request request) => ParseTyped(request.Body, request.Headers["Content-Type"]);
}
