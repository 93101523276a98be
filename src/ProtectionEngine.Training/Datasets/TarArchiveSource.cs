using System.Formats.Tar;
using System.IO.Compression;

namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>
/// A <c>.tar</c>, <c>.tar.gz</c> or <c>.tgz</c> archive, streamed entry by entry: nothing is extracted to disk and only
/// the current entry is in memory.
/// </summary>
internal sealed class TarArchiveSource : IDatasetSource
{
    public TarArchiveSource(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path))
            throw new FileNotFoundException($"The dataset archive '{Path}' does not exist.", Path);
    }

    public string Path { get; }

    public string Description => $"archive {System.IO.Path.GetFileName(Path)}";

    public static bool IsArchivePath(string path) =>
        path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) || IsGzipPath(path);

    public IEnumerable<DatasetFile> EnumerateFiles(CancellationToken cancellationToken = default)
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        // Trust the bytes, not the name: a .tar that is really gzip (or the reverse) still reads.
        using Stream archive = StartsWithGzipMagic(file) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new TarReader(archive);
        for (var entry = reader.GetNextEntry(); entry is not null; entry = reader.GetNextEntry())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                || entry.DataStream is null)
                continue;
            yield return new DatasetFile(NormalizeName(entry.Name), entry.Length, entry.DataStream);
        }
    }

    private static bool IsGzipPath(string path) =>
        path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    private static bool StartsWithGzipMagic(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private static string NormalizeName(string name)
    {
        var normalized = name.Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
            normalized = normalized[2..];
        return normalized.TrimStart('/');
    }
}
