namespace UploadGuard.Gateway.Problems;

/// <summary>
/// A well-formed part the gateway cannot inspect (nested multipart, a transfer or content encoding): answered 415 with
/// <see cref="Reason"/>, never forwarded.
/// </summary>
public sealed class UnsupportedPartException(string reason, string message, string part) : Exception(message)
{
    public string Reason { get; } = reason;

    public string Part { get; } = part;
}
