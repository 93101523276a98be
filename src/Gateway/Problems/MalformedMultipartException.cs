namespace UploadGuard.Gateway.Problems;

/// <summary>A multipart body that cannot be split safely (answered 400 <c>malformed_multipart</c>).</summary>
public sealed class MalformedMultipartException(string message) : Exception(message);
