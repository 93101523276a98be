using System.Formats.Tar;
using System.IO.Compression;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Tests.Support;

namespace UploadGuard.ProtectionEngine.Tests.Datasets;

/// <summary>Tiny datasets built in the test: the same files as a tar, a tar.gz or a folder.</summary>
public static class TestArchives
{
    /// <summary>
    /// A <c>set/{train,test}/&lt;class&gt;/</c> layout like the shared archives: in set/train/, two colour PNGs (cat),
    /// one grayscale JPEG and one lossless WebP (dog), one text file and one truncated JPEG; one PNG in set/test/.
    /// </summary>
    public static List<(string Name, byte[] Data)> MixedFiles() =>
    [
        ("set/train/cat/0001.png", TestImages.EncodedPhoto(40, 24, ImageFormatKind.Png, seed: 1)),
        ("set/train/cat/0002.png", TestImages.EncodedPhoto(24, 24, ImageFormatKind.Png, seed: 2)),
        ("set/train/dog/0003.jpg", TestImages.EncodedPhoto(30, 30, ImageFormatKind.Jpeg, seed: 3, gray: true)),
        ("set/train/dog/0004.webp", TestImages.EncodedPhoto(20, 28, ImageFormatKind.Webp, seed: 4)),
        ("set/train/README.txt", "not an image\n"u8.ToArray()),
        ("set/train/dog/broken.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF"u8, 0x00, 0x01, 0x02, 0x03]),
        ("set/test/cat/0005.png", TestImages.EncodedPhoto(24, 24, ImageFormatKind.Png, seed: 5)),
    ];

    /// <summary><paramref name="perClass"/> small PNGs in each of <paramref name="classes"/> folders, one class after another.</summary>
    public static List<(string Name, byte[] Data)> Classes(int classes, int perClass, int size = 16) =>
        Enumerable.Range(0, classes)
            .SelectMany(c => Enumerable.Range(0, perClass).Select(i =>
                ($"data/class{c}/{i:0000}.png", TestImages.EncodedPhoto(size, size, ImageFormatKind.Png, seed: 100 * c + i))))
            .ToList();

    public static string WriteTar(IEnumerable<(string Name, byte[] Data)> files, bool gzip)
    {
        string path = Path.Combine(NewTempFolder(), gzip ? "data.tar.gz" : "data.tar");
        using var file = File.Create(path);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, data) in files)
        {
            // Directory entries, as real archives have them, must be passed over.
            string directory = name[..(name.LastIndexOf('/') + 1)];
            if (directories.Add(directory))
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, directory));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        }
        return path;
    }

    public static string WriteFolder(IEnumerable<(string Name, byte[] Data)> files)
    {
        string root = NewTempFolder();
        foreach (var (name, data) in files)
        {
            string path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, data);
        }
        return root;
    }

    public static string NewTempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "uploadguard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
