namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>Somewhere training photos come from: a folder or an archive, read front to back once.</summary>
public interface IDatasetSource
{
    /// <summary>What the source is, for model cards and messages (a file or folder name, never file contents).</summary>
    string Description { get; }

    /// <summary>Every regular file, in a stable order; directories and links are not files.</summary>
    IEnumerable<DatasetFile> EnumerateFiles(CancellationToken cancellationToken = default);
}
