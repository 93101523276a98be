using System.Formats.Tar;
using System.IO.Compression;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// Unpacks an uploaded .zip, .tar or .tar.gz of photos into a private folder, refusing unsafe archives outright:
/// entries whose names leave the folder (zip slip), links, more unpacked bytes than the caps or a suspicious
/// compression ratio (zip bombs). Files that are not JPEG, PNG or WebP by their magic bytes are skipped and counted.
/// Entries are written under generated names, so no name from the archive ever reaches the file system.
/// </summary>
public static class DatasetArchive
{
    public static UnpackedDataset Unpack(string archivePath, string targetFolder, RetrainingOptions limits, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(targetFolder);
        long packed = new FileInfo(archivePath).Length;
        using var file = File.OpenRead(archivePath);
        Span<byte> magic = stackalloc byte[4];
        int read = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        file.Position = 0;

        var state = new State(targetFolder, limits, Math.Max(packed, 1));
        try
        {
            if (read >= 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4)
                UnpackZip(file, state, cancellationToken);
            else if (read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
                UnpackTar(new GZipStream(file, CompressionMode.Decompress), state, cancellationToken);
            else
                UnpackTar(file, state, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ArchiveRejectedException("corrupt_archive", $"The archive cannot be read: {ex.Message}", ex);
        }
        return new UnpackedDataset(targetFolder, state.Images, state.Skipped, state.Unpacked);
    }

    private static void UnpackZip(Stream file, State state, CancellationToken cancellationToken)
    {
        using var zip = new ZipArchive(file, ZipArchiveMode.Read);
        // Check every entry's name and declared sizes before writing anything.
        foreach (var entry in zip.Entries)
        {
            CheckName(entry.FullName);
            if (entry.CompressedLength > 0 && (double)entry.Length / entry.CompressedLength > state.Limits.MaxCompressionRatio)
                throw new ArchiveRejectedException("zip_bomb", $"Entry '{entry.FullName}' expands {entry.Length / Math.Max(1, entry.CompressedLength):N0}x.");
        }
        if (zip.Entries.Sum(e => e.Length) > state.Limits.MaxUnpackedBytes)
            throw new ArchiveRejectedException("zip_bomb", "The archive declares more unpacked bytes than allowed.");
        foreach (var entry in zip.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.FullName.EndsWith('/')) continue;   // folder
            using var content = entry.Open();
            state.Add(entry.FullName, content);
        }
    }

    private static void UnpackTar(Stream archive, State state, CancellationToken cancellationToken)
    {
        using var reader = new TarReader(archive);
        for (var entry = reader.GetNextEntry(); entry is not null; entry = reader.GetNextEntry())
        {
            cancellationToken.ThrowIfCancellationRequested();
            CheckName(entry.Name);
            if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                throw new ArchiveRejectedException("zip_slip", $"Entry '{entry.Name}' is a link; links are refused.");
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile) || entry.DataStream is null)
                continue;
            state.Add(entry.Name, entry.DataStream);
        }
    }

    private static void CheckName(string name)
    {
        var normalized = name.Replace('\\', '/');
        if (normalized.StartsWith('/') || Path.IsPathRooted(normalized) || (normalized.Length > 1 && normalized[1] == ':')
            || normalized.Split('/').Any(segment => segment == ".."))
            throw new ArchiveRejectedException("zip_slip", $"Entry '{name}' points outside the archive.");
    }

    private sealed class State(string folder, RetrainingOptions limits, long packed)
    {
        public RetrainingOptions Limits { get; } = limits;

        public int Images { get; private set; }

        public int Skipped { get; private set; }

        public long Unpacked { get; private set; }

        private int _entries;

        public void Add(string name, Stream content)
        {
            if (++_entries > Limits.MaxEntries)
                throw new ArchiveRejectedException("archive_too_large", $"More than {Limits.MaxEntries:N0} entries.");
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = content.Read(chunk)) > 0)
            {
                if (buffer.Length + read > Limits.MaxEntryBytes)
                    throw new ArchiveRejectedException("archive_too_large", $"Entry '{name}' is larger than {Limits.MaxEntryBytes:N0} bytes.");
                Unpacked += read;
                // The real, decompressed size is what counts: declared sizes can lie.
                if (Unpacked > Limits.MaxUnpackedBytes || Unpacked / (double)packed > Limits.MaxCompressionRatio)
                    throw new ArchiveRejectedException("zip_bomb", "The archive expands far more than photos do.");
                buffer.Write(chunk, 0, read);
            }

            var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            if (ImageFormatSniffer.DetectSupported(bytes[..Math.Min(bytes.Length, ImageFormatSniffer.HeaderLength)]) is not { } format)
            {
                Skipped++;
                return;
            }
            Images++;
            var extension = format switch { ImageFormatKind.Jpeg => ".jpg", ImageFormatKind.Png => ".png", _ => ".webp" };
            File.WriteAllBytes(Path.Combine(folder, $"{Images:D6}{extension}"), bytes.ToArray());
        }
    }
}
