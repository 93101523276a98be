namespace UploadGuard.Gateway.Protection;

/// <summary>A part of a request (or its whole body) that may hold an image, and what it claims to be (untrusted).</summary>
public sealed record UploadCandidate(int Index, string Name, ReadOnlyMemory<byte> Content, string? ContentType, string? FileName);
