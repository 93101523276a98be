using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>Dataset archives built in memory for the retraining tests.</summary>
public static class TestArchives
{
    public static byte[] TarGz(int photos, int textFiles)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            for (int i = 0; i < photos; i++)
                Add(tar, $"photos/{i:D3}.png", TestPhotos.Png(40, 40, seed: 100 + i));
            for (int i = 0; i < textFiles; i++)
                Add(tar, $"photos/readme-{i}.txt", Encoding.UTF8.GetBytes("not a photo"));
        }
        return output.ToArray();
    }

    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize);
                using var stream = entry.Open();
                stream.Write(content);
            }
        }
        return output.ToArray();
    }

    private static void Add(TarWriter tar, string name, byte[] content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
        tar.WriteEntry(entry);
    }
}
