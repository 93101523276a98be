namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>A folder of photos, searched recursively; subfolders may name classes, which training never needs.</summary>
internal sealed class ImageFolderSource : IDatasetSource
{
    public ImageFolderSource(string root)
    {
        Root = System.IO.Path.GetFullPath(root);
        if (!Directory.Exists(Root))
            throw new DirectoryNotFoundException($"The dataset folder '{Root}' does not exist.");
    }

    public string Root { get; }

    public string Description => $"folder {System.IO.Path.GetFileName(Root.TrimEnd(System.IO.Path.DirectorySeparatorChar))}";

    public IEnumerable<DatasetFile> EnumerateFiles(CancellationToken cancellationToken = default)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            // Links could lead outside the folder or loop; a dataset is what is really inside it.
            AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden | FileAttributes.System,
        };
        // Sorted so that a seeded sample is the same on every file system.
        var files = Directory.EnumerateFiles(Root, "*", options)
            .Select(f => (Full: f, Relative: System.IO.Path.GetRelativePath(Root, f).Replace(System.IO.Path.DirectorySeparatorChar, '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
        foreach (var (full, relative) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FileStream stream;
            try
            {
                stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            using (stream)
                yield return new DatasetFile(relative, stream.Length, stream);
        }
    }
}
