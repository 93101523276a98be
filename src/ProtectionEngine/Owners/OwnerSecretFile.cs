namespace UploadGuard.ProtectionEngine.Owners;

/// <summary>
/// A secret kept in a file of its own: read when it exists, created (32 random bytes, base64, readable by the owner
/// only) when it does not. The embedded gateway and the CLI use it so that owner keys work with no configuration.
/// </summary>
public static class OwnerSecretFile
{
    /// <summary>The file's secret, and whether this call created it.</summary>
    public static (string Secret, bool Created) ReadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
            return (Read(path), false);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var secret = OwnerKeyring.NewSecret();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(path, options))
            using (var writer = new StreamWriter(stream))
                writer.WriteLine(secret);
            return (secret, true);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs, so both agree on every owner's key.
            return (Read(path), false);
        }
    }

    public static string Read(string path)
    {
        var secret = File.ReadAllText(path).Trim();
        OwnerKeyring.KeyIdOf(secret);   // refuses a secret that is too short, with the reason
        return secret;
    }
}
