using System.Formats.Tar;
using System.IO.Compression;

namespace UploadGuard.Bench.Load;

/// <summary>Real photos to upload, read from a folder or a .tar / .tar.gz archive (such as ../shared/data/kodak24.tar) without extracting it.</summary>
public static class PhotoFiles
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp"];

    /// <returns>The bytes of every JPEG, PNG or WebP file (by extension), in path order, at most <paramref name="limit"/>.</returns>
    public static List<byte[]> Read(string path, int? limit)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(IsPhoto))
                files[Path.GetRelativePath(path, file)] = File.ReadAllBytes(file);
        }
        else
        {
            using var stream = File.OpenRead(path);
            using Stream content = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(stream, CompressionMode.Decompress)
                : stream;
            using var reader = new TarReader(content);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null || !IsPhoto(entry.Name))
                    continue;
                using var copy = new MemoryStream();
                entry.DataStream.CopyTo(copy);
                files[entry.Name] = copy.ToArray();
            }
        }
        var photos = files.Values.Take(limit ?? int.MaxValue).ToList();
        return photos.Count > 0 ? photos : throw new InvalidOperationException($"'{path}' holds no .jpg, .jpeg, .png or .webp file.");
    }

    private static bool IsPhoto(string name) => Extensions.Contains(Path.GetExtension(name).ToLowerInvariant());
}
