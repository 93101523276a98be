using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>
/// Upsamples the working-resolution perturbation to the photo's size (bilinear, half-pixel centres), adds
/// epsilon times it, rounds, and projects every channel back into [original - epsilon, original + epsilon] and
/// [0, 255]. The bound therefore holds exactly on the 8-bit pixels, whatever the generator produced. Alpha is not
/// touched; gray photos get one shared perturbation so they stay gray. <see cref="Remove"/> undoes it for whoever can
/// draw the same perturbation again (an owner-keyed model's key holder).
/// </summary>
internal static class PerturbationApplier
{
    /// <param name="image">Pixels to perturb in place; must use one contiguous buffer.</param>
    /// <param name="perturbation">tanh(G(x)) on the canvas, CHW, values in [-1, 1].</param>
    public static void Apply(Image<Rgba32> image, WorkingCanvas canvas, float[] perturbation, int epsilon, bool grayscale) =>
        Map<Add>(image, canvas, perturbation, epsilon, grayscale);

    /// <summary>
    /// Takes off what <see cref="Apply"/> added with the same perturbation: every value goes back to the original it
    /// came from, exactly where the original was not clipped at 0 or 255 (there the nearest candidate is taken).
    /// </summary>
    public static void Remove(Image<Rgba32> image, WorkingCanvas canvas, float[] perturbation, int epsilon, bool grayscale) =>
        Map<Subtract>(image, canvas, perturbation, epsilon, grayscale);

    /// <summary>Adds epsilon x delta, rounds, then projects into the epsilon ball and the 8-bit range.</summary>
    public static byte Perturb(byte original, float delta, int epsilon)
    {
        int value = (int)MathF.Round(original + epsilon * delta, MidpointRounding.AwayFromZero);
        return (byte)Math.Clamp(value, Math.Max(0, original - epsilon), Math.Min(255, original + epsilon));
    }

    /// <summary>
    /// The value <see cref="Perturb"/> turned into <paramref name="perturbed"/> with this delta: the nearest candidate
    /// to perturbed minus epsilon x delta that <see cref="Perturb"/> maps back onto it (float rounding can put the plain
    /// difference one level off). A value at 0 or 255 that the delta pushed into that limit had many possible
    /// originals; it is taken to have been at the limit already.
    /// </summary>
    public static byte Restore(byte perturbed, float delta, int epsilon)
    {
        // Clipping happens where photos are blown out or crushed, so their originals sit at the limit far more often
        // than at any one value below it: on Kodak-24 this took photo 20 (large white and black areas) from 82.8 % of
        // values within one level to 98.7 % and the mean from 98.5 % to 99.7 % (docs/protection.md).
        if (perturbed is 0 or 255 && Perturb(perturbed, delta, epsilon) == perturbed)
            return perturbed;
        int estimate = Math.Clamp((int)MathF.Round(perturbed - epsilon * delta, MidpointRounding.AwayFromZero),
            Math.Max(0, perturbed - epsilon), Math.Min(255, perturbed + epsilon));
        foreach (int candidate in (ReadOnlySpan<int>)[estimate, estimate - 1, estimate + 1])
        {
            if (candidate is >= 0 and <= 255 && Perturb((byte)candidate, delta, epsilon) == perturbed)
                return (byte)candidate;
        }
        return (byte)estimate;
    }

    private interface IValueMap
    {
        static abstract byte Map(byte value, float delta, int epsilon);
    }

    private readonly struct Add : IValueMap
    {
        public static byte Map(byte value, float delta, int epsilon) => Perturb(value, delta, epsilon);
    }

    private readonly struct Subtract : IValueMap
    {
        public static byte Map(byte value, float delta, int epsilon) => Restore(value, delta, epsilon);
    }

    // A struct type argument: the JIT compiles one copy per map with the call inlined, so the hot loop pays nothing for sharing.
    private static void Map<TMap>(Image<Rgba32> image, WorkingCanvas canvas, float[] perturbation, int epsilon, bool grayscale)
        where TMap : struct, IValueMap
    {
        if (!image.DangerousTryGetSinglePixelMemory(out var memory))
            throw new InvalidOperationException("The image is not in one contiguous buffer; enable PreferContiguousImageBuffers.");

        int width = image.Width, height = image.Height;
        var (x0, x1, wx) = Taps(width, canvas.ContentWidth);
        var (y0, y1, wy) = Taps(height, canvas.ContentHeight);
        int size = canvas.Size, plane = size * size, contentWidth = canvas.ContentWidth;

        Parallel.For(0, height, () => new float[3 * contentWidth], (y, _, rowDelta) =>
        {
            // Interpolate vertically once per row, then horizontally per pixel.
            int top = y0[y] * size, bottom = y1[y] * size;
            float b = wy[y], a = 1 - b;
            for (int c = 0; c < 3; c++)
            {
                int source = c * plane;
                for (int sx = 0; sx < contentWidth; sx++)
                    rowDelta[c * contentWidth + sx] = a * perturbation[source + top + sx] + b * perturbation[source + bottom + sx];
            }

            var row = memory.Span.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                int l = x0[x], r = x1[x];
                float t = wx[x], s = 1 - t;
                float dr = s * rowDelta[l] + t * rowDelta[r];
                float dg = s * rowDelta[contentWidth + l] + t * rowDelta[contentWidth + r];
                float db = s * rowDelta[2 * contentWidth + l] + t * rowDelta[2 * contentWidth + r];
                ref var p = ref row[x];
                if (grayscale)
                {
                    byte v = TMap.Map(p.R, (dr + dg + db) / 3f, epsilon);
                    p.R = p.G = p.B = v;
                }
                else
                {
                    p.R = TMap.Map(p.R, dr, epsilon);
                    p.G = TMap.Map(p.G, dg, epsilon);
                    p.B = TMap.Map(p.B, db, epsilon);
                }
            }
            return rowDelta;
        }, _ => { });
    }

    /// <summary>For each target coordinate, the two source taps and the weight of the second.</summary>
    private static (int[] First, int[] Second, float[] Weight) Taps(int target, int source)
    {
        var first = new int[target];
        var second = new int[target];
        var weight = new float[target];
        double scale = (double)source / target;
        for (int i = 0; i < target; i++)
        {
            double position = Math.Clamp((i + 0.5) * scale - 0.5, 0, source - 1);
            int lower = (int)Math.Floor(position);
            first[i] = lower;
            second[i] = Math.Min(lower + 1, source - 1);
            weight[i] = (float)(position - lower);
        }
        return (first, second, weight);
    }
}
