using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>
/// Reads photos from a folder or tar archive into an <see cref="ImageDataset"/>: subset filter, image cap, decoding through
/// the engine's hardened codec (JPEG, PNG, WebP only; size caps before decoding; EXIF orientation applied), grayscale
/// to RGB, shorter side resized to the training size and centre-cropped. Files that are not images, or do not decode,
/// are skipped and counted, never fatal: an operator's photo folder is rarely clean.
/// </summary>
public static class ImageDatasetLoader
{
    private const int ProgressInterval = 256;

    /// <summary>A folder source for a directory, a tar source for .tar, .tar.gz and .tgz files.</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>, or it is a file of another kind.</exception>
    public static IDatasetSource OpenSource(string path)
    {
        if (Directory.Exists(path))
            return new ImageFolderSource(path);
        if (File.Exists(path))
        {
            return TarArchiveSource.IsArchivePath(path)
                ? new TarArchiveSource(path)
                : throw new FileNotFoundException($"'{path}' is neither a folder nor a .tar, .tar.gz or .tgz archive.", path);
        }
        throw new FileNotFoundException($"The training data '{path}' does not exist.", path);
    }

    public static ImageDataset Load(ImageDatasetOptions options, IProgress<DatasetLoadStatistics>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Load(OpenSource(options.Source), options, progress, cancellationToken);
    }

    public static ImageDataset Load(IDatasetSource source, ImageDatasetOptions options, IProgress<DatasetLoadStatistics>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var codec = new ImageCodec(new ImagingOptions
        {
            MaxBytes = options.MaxFileBytes,
            MaxPixels = options.MaxPixels,
            Metadata = MetadataPolicy.StripAll,
        });
        string subset = options.Subset ?? "";
        int? cap = options.MaxImages;
        bool reservoir = cap is not null && options.Sampling == DatasetSampling.Random;
        var random = new Random(options.Seed);
        var pixels = new List<byte[]>();
        var paths = new List<string>();
        int filesInSubset = 0, notImages = 0, undecodable = 0, images = 0;
        Span<byte> header = stackalloc byte[ImageFormatSniffer.HeaderLength];

        DatasetLoadStatistics Statistics() => new(filesInSubset, images, notImages, undecodable, pixels.Count);

        foreach (var file in source.EnumerateFiles(cancellationToken))
        {
            if (!file.Path.StartsWith(subset, StringComparison.Ordinal) || options.ExcludePrefixes.Any(p => file.Path.StartsWith(p, StringComparison.Ordinal)))
                continue;
            filesInSubset++;
            if (filesInSubset % ProgressInterval == 0)
                progress?.Report(Statistics());

            int headerLength = file.Content.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (ImageFormatSniffer.DetectSupported(header[..headerLength]) is null)
            {
                notImages++;
                continue;
            }

            // Where a decoded image goes: appended, replacing a reservoir slot, or nowhere (not sampled).
            int slot = pixels.Count;
            if (reservoir)
            {
                images++;
                if (pixels.Count >= cap)
                {
                    long pick = random.NextInt64(images);
                    if (pick >= cap)
                        continue;
                    slot = (int)pick;
                }
            }

            byte[]? decoded = file.Length <= options.MaxFileBytes ? DecodeSquare(codec, file, header[..headerLength], options.ImageSize) : null;
            if (decoded is null)
            {
                undecodable++;
                if (reservoir)
                    images--;   // an undecodable file was never part of the population being sampled
                continue;
            }
            if (!reservoir)
                images++;
            if (slot == pixels.Count)
            {
                pixels.Add(decoded);
                paths.Add(file.Path);
            }
            else
            {
                pixels[slot] = decoded;
                paths[slot] = file.Path;
            }
            if (!reservoir && pixels.Count == cap)
                break;
        }

        var statistics = Statistics();
        progress?.Report(statistics);
        string description = subset.Length > 0 ? $"{source.Description}, subset {subset}" : source.Description;
        return new ImageDataset(description, options.ImageSize, pixels, paths, statistics);
    }

    /// <summary>Decodes one file to CHW RGB bytes at size x size, or null when it is not a decodable image within the caps.</summary>
    private static byte[]? DecodeSquare(ImageCodec codec, DatasetFile file, ReadOnlySpan<byte> header, int size)
    {
        var bytes = new byte[file.Length];
        if (header.Length > bytes.Length)
            return null;
        header.CopyTo(bytes);
        int read = header.Length + file.Content.ReadAtLeast(bytes.AsSpan(header.Length), bytes.Length - header.Length, throwOnEndOfStream: false);
        if (read != bytes.Length)
            return null;
        try
        {
            using var decoded = codec.Decode(bytes);
            var image = decoded.Pixels;
            image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Crop, Sampler = KnownResamplers.Bicubic }));
            return ToChw(image, size);
        }
        catch (ImageRejectedException)
        {
            return null;
        }
    }

    private static byte[] ToChw(Image<Rgba32> image, int size)
    {
        int plane = size * size;
        var chw = new byte[3 * plane];
        // Gray photos decode to equal R, G and B, so they arrive here as RGB already; alpha is dropped.
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(y);
                int offset = y * size;
                for (int x = 0; x < size; x++)
                {
                    chw[offset + x] = row[x].R;
                    chw[plane + offset + x] = row[x].G;
                    chw[2 * plane + offset + x] = row[x].B;
                }
            }
        });
        return chw;
    }
}
