using TorchSharp;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// Images with the class labels an attacker would train on: 8-bit RGB planes (CHW, <c>3 * size * size</c> bytes each)
/// and one label index per image into <see cref="Classes"/>. The benchmark's only holder of labels; the generator never
/// sees them.
/// </summary>
public sealed class LabeledImages
{
    private readonly byte[][] pixels;
    private readonly int[] labels;

    public LabeledImages(int size, IReadOnlyList<byte[]> pixels, IReadOnlyList<int> labels, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classes);
        if (pixels.Count != labels.Count)
            throw new ArgumentException("Every image needs a label.", nameof(labels));
        if (pixels.Any(p => p.Length != 3 * size * size))
            throw new ArgumentException($"Every image must hold {3 * size * size} bytes (3 x {size} x {size}).", nameof(pixels));
        if (labels.Any(l => l < 0 || l >= classes.Count))
            throw new ArgumentException("A label is outside the class list.", nameof(labels));
        Size = size;
        this.pixels = [.. pixels];
        this.labels = [.. labels];
        Classes = [.. classes];
    }

    public int Size { get; }

    public int Count => pixels.Length;

    public IReadOnlyList<string> Classes { get; }

    public byte[] Pixels(int index) => pixels[index];

    public int Label(int index) => labels[index];

    /// <summary>The same labels with other pixels (a protected or transformed copy), image by image.</summary>
    public LabeledImages WithPixels(IReadOnlyList<byte[]> replacement, int? size = null) => new(size ?? Size, replacement, labels, Classes);

    /// <summary>Float images [N, 3, size, size] in [0, 1].</summary>
    public Tensor Images(IReadOnlyList<int> indices, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int plane = 3 * Size * Size;
        var bytes = new byte[(long)plane * indices.Count];
        for (int i = 0; i < indices.Count; i++)
            pixels[indices[i]].CopyTo(bytes, (long)i * plane);
        using var scope = NewDisposeScope();
        var batch = tensor(bytes, [indices.Count, 3, Size, Size]).to(ScalarType.Float32).div_(255f);
        if (device is not null && device.type != DeviceType.CPU)
            batch = batch.to(device);
        return batch.MoveToOuterDisposeScope();
    }

    /// <summary>Label indices [N] as int64, for cross-entropy.</summary>
    public Tensor Labels(IReadOnlyList<int> indices, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return tensor(indices.Select(i => (long)labels[i]).ToArray(), device: device);
    }
}
