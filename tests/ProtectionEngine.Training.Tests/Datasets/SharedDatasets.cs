namespace UploadGuard.ProtectionEngine.Tests.Datasets;

/// <summary>
/// The read-only archives in ../shared/data beside the project root, read in place (never extracted into the
/// repository). Absent in a fresh clone elsewhere: tests that need them are skipped.
/// </summary>
public static class SharedDatasets
{
    public static string SkipReason(string file) => $"../shared/data/{file} is not present beside the project root.";

    /// <summary>The archive's full path, or null when it is absent.</summary>
    public static string? Find(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", file);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
