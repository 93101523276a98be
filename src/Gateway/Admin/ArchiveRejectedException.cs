namespace UploadGuard.Gateway.Admin;

/// <summary>An uploaded dataset archive refused as unsafe or unreadable, with a reason code.</summary>
public sealed class ArchiveRejectedException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary><c>zip_slip</c>, <c>zip_bomb</c>, <c>archive_too_large</c>, <c>unsupported_archive</c> or <c>corrupt_archive</c>.</summary>
    public string Reason { get; } = reason;
}
