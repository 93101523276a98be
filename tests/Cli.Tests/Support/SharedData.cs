using System.Formats.Tar;

namespace UploadGuard.Cli.Tests.Support;

/// <summary>The read-only datasets in ../shared/data, extracted on demand to the ignored .cache folder.</summary>
public static class SharedData
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The archive's path, or null when ../shared/data (or the file) is absent.</summary>
    public static string? Find(string file)
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", file));
        return File.Exists(path) ? path : null;
    }

    /// <summary>Extracts a .tar once into .cache/&lt;name&gt; and returns that folder.</summary>
    public static string ExtractTar(string archive, string name)
    {
        var target = Path.Combine(RepositoryRoot, ".cache", name);
        var done = Path.Combine(target, ".extracted");
        if (!File.Exists(done))
        {
            Directory.CreateDirectory(target);
            TarFile.ExtractToDirectory(archive, target, overwriteFiles: true);
            File.WriteAllText(done, archive);
        }
        return target;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "UploadGuard.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("UploadGuard.sln not found above the test folder.");
    }
}
