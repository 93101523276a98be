using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Bench.Pgd;

/// <summary>Encoded image files read whole from a folder or tar archive (such as ../shared/data/kodak24.tar), unextracted.</summary>
public static class ImageFiles
{
    /// <param name="source">A folder or a .tar / .tar.gz / .tgz archive.</param>
    /// <param name="subset">Only paths starting with this, e.g. <c>cifar10-jpg/test/</c>.</param>
    /// <param name="limit">The first this many images in the source's order; null for all.</param>
    /// <returns>Relative path and bytes of every JPEG, PNG or WebP file (by magic bytes).</returns>
    public static List<(string Path, byte[] Bytes)> Read(string source, string? subset, int? limit)
    {
        var files = new List<(string, byte[])>();
        foreach (var file in ImageDatasetLoader.OpenSource(source).EnumerateFiles())
        {
            if (subset is not null && !file.Path.StartsWith(subset, StringComparison.Ordinal))
                continue;
            var bytes = ReadAll(file);
            if (bytes.Length < ImageFormatSniffer.HeaderLength || ImageFormatSniffer.DetectSupported(bytes.AsSpan(0, ImageFormatSniffer.HeaderLength)) is null)
                continue;
            files.Add((file.Path, bytes));
            if (files.Count == limit)
                break;
        }
        return files;
    }

    /// <summary>Every byte of a file as the source enumerates it (valid only until the enumeration moves on).</summary>
    public static byte[] ReadAll(DatasetFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var copy = new MemoryStream(checked((int)file.Length));
        file.Content.CopyTo(copy);
        return copy.ToArray();
    }
}
