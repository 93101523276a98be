namespace UploadGuard.Gateway.Demo;

/// <summary>Turns a client-supplied file name into a plain name inside one folder: no directories, no "..".</summary>
public static class SafeFileName
{
    public static string? From(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var leaf = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var invalid = Path.GetInvalidFileNameChars();
        var cleaned = new string(leaf.Where(c => !char.IsControl(c) && !invalid.Contains(c)).ToArray()).Trim().TrimStart('.');
        if (cleaned.Length == 0) return null;
        return cleaned.Length > 128 ? cleaned[..128] : cleaned;
    }
}
