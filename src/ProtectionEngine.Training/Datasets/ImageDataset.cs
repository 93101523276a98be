using TorchSharp;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>
/// Decoded training images held in memory as 8-bit RGB planes (CHW, <c>3 * size * size</c> bytes each: a quarter of
/// float storage), bounded by the load's image cap.
/// </summary>
public sealed class ImageDataset
{
    private readonly byte[][] pixels;
    private readonly string[] paths;

    public ImageDataset(string description, int imageSize, IReadOnlyList<byte[]> pixels, IReadOnlyList<string> paths, DatasetLoadStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(paths);
        if (pixels.Count != paths.Count)
            throw new ArgumentException("Every image needs its path.", nameof(paths));
        long planeBytes = 3L * imageSize * imageSize;
        if (pixels.Any(p => p.LongLength != planeBytes))
            throw new ArgumentException($"Every image must hold {planeBytes} bytes (3 x {imageSize} x {imageSize}).", nameof(pixels));
        Description = description;
        ImageSize = imageSize;
        this.pixels = [.. pixels];
        this.paths = [.. paths];
        Statistics = statistics;
    }

    /// <summary>Source and subset, for model cards (e.g. <c>archive imagenette2-224.tar.gz, subset imagenette-224/train/</c>).</summary>
    public string Description { get; }

    public int ImageSize { get; }

    public int Count => pixels.Length;

    public DatasetLoadStatistics Statistics { get; }

    /// <summary>Relative paths, in the dataset's order.</summary>
    public IReadOnlyList<string> Paths => paths;

    /// <summary>RGB planes of one image, values 0..255.</summary>
    public ReadOnlyMemory<byte> Pixels(int index) => pixels[index];

    /// <summary>
    /// The folder an image sits in (a class name in <c>train/&lt;class&gt;/x.jpg</c> layouts), or null at the root. For
    /// evaluation only: training is label-agnostic and must never read this.
    /// </summary>
    public string? ClassFolderForEvaluation(int index)
    {
        var path = paths[index];
        int slash = path.LastIndexOf('/');
        if (slash <= 0)
            return null;
        int previous = path.LastIndexOf('/', slash - 1);
        return path[(previous + 1)..slash];
    }

    /// <summary>Stacks images into a float tensor [N, 3, size, size] with values in [0, 1].</summary>
    public Tensor Batch(IReadOnlyList<int> indices, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0)
            throw new ArgumentException("A batch needs at least one image.", nameof(indices));
        int plane = 3 * ImageSize * ImageSize;
        var bytes = new byte[(long)plane * indices.Count];
        for (int i = 0; i < indices.Count; i++)
            pixels[indices[i]].CopyTo(bytes, (long)i * plane);

        using var scope = NewDisposeScope();
        var batch = tensor(bytes, [indices.Count, 3, ImageSize, ImageSize]).to(ScalarType.Float32).div_(255f);
        if (device is not null && device.type != DeviceType.CPU)
            batch = batch.to(device);
        return batch.MoveToOuterDisposeScope();
    }
}
