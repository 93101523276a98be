using System.Formats.Tar;

namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

/// <summary>
/// Photos of the Kodak suite from ../shared/data/kodak24.tar beside the project root, extracted once into the temp
/// folder (never into the repository). Absent in a fresh clone elsewhere: tests that need them are skipped.
/// </summary>
public static class KodakPhotos
{
    public const string SkipReason = "../shared/data/kodak24.tar is not present beside the project root.";

    public static string? Archive { get; } = FindArchive();

    /// <summary>Path of photo <paramref name="number"/> (1..24), extracted on first use.</summary>
    public static string Photo(int number)
    {
        string archive = Archive ?? throw new InvalidOperationException(SkipReason);
        string entryName = $"PhotoCD_PCD0992/{number:00}.png";
        string target = Path.Combine(Path.GetTempPath(), "uploadguard-tests", "kodak24", $"{number:00}.png");
        if (File.Exists(target))
            return target;

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using var reader = new TarReader(File.OpenRead(archive));
        for (var entry = reader.GetNextEntry(); entry is not null; entry = reader.GetNextEntry())
        {
            if (entry.Name != entryName || entry.DataStream is null)
                continue;
            // Written under a unique name then moved, so that concurrent test runs never read a half-written file.
            string partial = $"{target}.{Guid.NewGuid():N}.partial";
            using (var output = File.Create(partial))
                entry.DataStream.CopyTo(output);
            File.Move(partial, target, overwrite: true);
            return target;
        }
        throw new FileNotFoundException($"{entryName} is not in {archive}.");
    }

    private static string? FindArchive()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "kodak24.tar");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
