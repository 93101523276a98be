namespace UploadGuard.ProtectionEngine.Files;

/// <summary>
/// Writes a file whole or not at all: the bytes go to a temporary file beside the target, which is then renamed over it.
/// A crash or a full disk leaves the old file (or none) under the target's name, never a truncated one, and a reader
/// sees the old or the new content. The temporary name carries the process id, so two processes writing the same
/// target do not write into each other's temporary file.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = TemporaryPath(path);
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            Discard(temp);
            throw;
        }
    }

    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var temp = TemporaryPath(path);
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, cancellationToken);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            Discard(temp);
            throw;
        }
    }

    private static void Discard(string temp)
    {
        // Only a file: whatever else holds the name is not ours to remove, and the write's own error is the one to report.
        if (File.Exists(temp))
            File.Delete(temp);
    }

    private static string TemporaryPath(string path) => $"{path}.{Environment.ProcessId}.partial";
}
