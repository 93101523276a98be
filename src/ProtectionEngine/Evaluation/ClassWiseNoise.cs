namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// The harness's sanity baselines, which use the labels and so are not UploadGuard's method: every class gets one fixed
/// random pattern of +-epsilon levels, drawn per channel and per block (8x8 pixels for the block baseline, 1x1 for the
/// per-pixel one), added to all its training images and clipped to 0..255. A harness that cannot see the block
/// pattern become a shortcut is broken (docs/evaluation.md).
/// </summary>
public static class ClassWiseNoise
{
    /// <summary>Signs (+1 or -1) of each class's pattern, CHW at <paramref name="size"/>, constant within each block.</summary>
    public static sbyte[][] Patterns(int classes, int size, int blockSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        var random = new Random(seed);
        int blocks = (size + blockSize - 1) / blockSize, plane = size * size;
        var patterns = new sbyte[classes][];
        for (int c = 0; c < classes; c++)
        {
            var pattern = new sbyte[3 * plane];
            for (int channel = 0; channel < 3; channel++)
            {
                for (int by = 0; by < blocks; by++)
                {
                    for (int bx = 0; bx < blocks; bx++)
                    {
                        sbyte sign = random.Next(2) == 0 ? (sbyte)-1 : (sbyte)1;
                        for (int y = by * blockSize; y < Math.Min(size, (by + 1) * blockSize); y++)
                        {
                            for (int x = bx * blockSize; x < Math.Min(size, (bx + 1) * blockSize); x++)
                                pattern[channel * plane + y * size + x] = sign;
                        }
                    }
                }
            }
            patterns[c] = pattern;
        }
        return patterns;
    }

    /// <param name="epsilon">Amplitude in 8-bit levels (8 means 8/255).</param>
    public static LabeledImages Apply(LabeledImages images, int epsilon, int blockSize, int seed)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Apply(images, Enumerable.Range(0, images.Count).Select(images.Label).ToArray(), images.Classes.Count, epsilon, blockSize, seed);
    }

    /// <summary>The same noise keyed by any grouping of the images (one pattern per group), not necessarily the labels.</summary>
    /// <param name="groups">Group of each image, 0..<paramref name="groupCount"/>-1.</param>
    public static LabeledImages Apply(LabeledImages images, IReadOnlyList<int> groups, int groupCount, int epsilon, int blockSize, int seed)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count != images.Count)
            throw new ArgumentException("Every image needs a group.", nameof(groups));
        var patterns = Patterns(groupCount, images.Size, blockSize, seed);
        var output = new byte[images.Count][];
        for (int i = 0; i < images.Count; i++)
        {
            var source = images.Pixels(i);
            var pattern = patterns[groups[i]];
            var noisy = new byte[source.Length];
            for (int j = 0; j < source.Length; j++)
                noisy[j] = (byte)Math.Clamp(source[j] + epsilon * pattern[j], 0, 255);
            output[i] = noisy;
        }
        return images.WithPixels(output);
    }
}
