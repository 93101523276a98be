namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>One file of a dataset source, as its source enumerates it.</summary>
/// <param name="Path">Path relative to the source's root, with '/' separators (a tar entry's name, or a path under the folder).</param>
/// <param name="Length">Size of the file in bytes.</param>
/// <param name="Content">
/// Readable only until the enumeration moves on: a tar archive is read as one stream, so an entry's data is gone once the
/// next entry is read. The source disposes it.
/// </param>
public sealed record DatasetFile(string Path, long Length, Stream Content);
