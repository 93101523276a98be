namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>
/// The harness's sanity baselines, which use the labels and so are not UploadGuard's method: every class gets one fixed
/// random pattern of +-epsilon levels, drawn per channel and per block (8x8 pixels for the block baseline, 1x1 for the
/// per-pixel one), added to all its training images and clipped to 0..255. A harness that cannot see the block
/// pattern become a shortcut is broken (docs/evaluation.md).
/// </summary>
internal static class ClassWiseNoise
{
    /// <summary>Signs (+1 or -1) of each class's pattern, CHW at <paramref name="size"/>, constant within each block.</summary>
    public static sbyte[][] Patterns(int classes, int size, int blockSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var random = new Random(seed);
        int signs = SignsPerPattern(size, blockSize);
        var patterns = new sbyte[classes][];
        for (int c = 0; c < classes; c++)
        {
            var blockSigns = new sbyte[signs];
            for (int s = 0; s < signs; s++)
                blockSigns[s] = random.Next(2) == 0 ? (sbyte)-1 : (sbyte)1;
            patterns[c] = Render(blockSigns, size, blockSize);
        }
        return patterns;
    }

    /// <summary>How many block signs one pattern has: one per channel and block (partial blocks at the edges count).</summary>
    public static int SignsPerPattern(int size, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        int blocks = (size + blockSize - 1) / blockSize;
        return 3 * blocks * blocks;
    }

    /// <summary>A CHW pattern at <paramref name="size"/> from its block signs, channel-major then row-major blocks.</summary>
    public static sbyte[] Render(IReadOnlyList<sbyte> blockSigns, int size, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(blockSigns);
        if (blockSigns.Count != SignsPerPattern(size, blockSize))
            throw new ArgumentException($"A {size}-px pattern of {blockSize}-px blocks has {SignsPerPattern(size, blockSize)} signs.", nameof(blockSigns));
        int blocks = (size + blockSize - 1) / blockSize, plane = size * size;
        var pattern = new sbyte[3 * plane];
        for (int channel = 0; channel < 3; channel++)
        {
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                    pattern[channel * plane + y * size + x] = blockSigns[(channel * blocks + y / blockSize) * blocks + x / blockSize];
            }
        }
        return pattern;
    }

    /// <param name="epsilon">Amplitude in 8-bit levels (8 means 8/255).</param>
    /// <param name="agreement">Share of images keyed by their own class; the others get another class's pattern (seeded).</param>
    public static LabeledImages Apply(LabeledImages images, int epsilon, int blockSize, int seed, double agreement = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Apply(images, Keys(images, agreement, seed), images.Classes.Count, epsilon, blockSize, seed);
    }

    /// <summary>
    /// Each image's pattern: its class for a random <paramref name="agreement"/> share of the images (exactly rounded),
    /// a uniformly drawn other class for the rest.
    /// </summary>
    public static int[] Keys(LabeledImages images, double agreement, int seed)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(agreement, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(agreement, 1);
        var keys = Enumerable.Range(0, images.Count).Select(images.Label).ToArray();
        int classes = images.Classes.Count;
        if (agreement >= 1 || classes < 2)
            return keys;
        var random = new Random(unchecked(seed * 31 + 7));
        var order = Enumerable.Range(0, keys.Length).OrderBy(_ => random.Next()).ToArray();
        int disagreeing = (int)Math.Round((1 - agreement) * keys.Length);
        foreach (int i in order.Take(disagreeing))
            keys[i] = (keys[i] + 1 + random.Next(classes - 1)) % classes;
        return keys;
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
        return Add(images, i => patterns[groups[i]], epsilon);
    }

    /// <summary>Each image plus epsilon times its own +-1 pattern, clipped to 0..255.</summary>
    public static LabeledImages Add(LabeledImages images, Func<int, sbyte[]> patternOf, int epsilon)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(patternOf);
        var output = new byte[images.Count][];
        for (int i = 0; i < images.Count; i++)
        {
            var source = images.Pixels(i);
            var pattern = patternOf(i);
            var noisy = new byte[source.Length];
            for (int j = 0; j < source.Length; j++)
                noisy[j] = (byte)Math.Clamp(source[j] + epsilon * pattern[j], 0, 255);
            output[i] = noisy;
        }
        return images.WithPixels(output);
    }
}
