using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>
/// JPEG quantisation moves values on top of the exact pre-encoding bound, so a decoded JPEG can sit several levels
/// outside the epsilon ball. One round looks at what the decoder gave back and pulls each overshooting value of the
/// pixels to encode back by its overshoot, staying inside [original - epsilon, original + epsilon]: encoded again, the
/// quantisation error then lands mostly inside the ball. What a user can rely on is measured, not assumed
/// (docs/protection.md).
/// </summary>
public static class JpegReprojection
{
    /// <summary>Decoded L-infinity the rounds stop at: the format does not reliably allow less.</summary>
    public static int Target(int epsilon) => epsilon + 1;

    /// <summary>
    /// Moves <paramref name="toEncode"/> against the overshoot of <paramref name="decoded"/> (the last encoding, decoded)
    /// beyond <paramref name="epsilon"/> around <paramref name="reference"/> (by default <paramref name="original"/>),
    /// never outside the ball around <paramref name="original"/>. Returns how many values it moved.
    /// </summary>
    /// <param name="round">1 for the first round: each round pulls the offending values that much further inside the
    /// ball, since moving one value re-quantises its whole 8x8 block and the error there comes back smaller but not
    /// gone.</param>
    /// <param name="reference">What another decoder made of the source: its decoding of the output is held to the budget
    /// around this, while the pixels stay within the budget of <paramref name="original"/>.</param>
    public static long Adjust(Image<Rgba32> toEncode, Image<Rgba32> original, Image<Rgba32> decoded, int epsilon, int round,
        Image<Rgba32>? reference = null)
    {
        reference ??= original;
        if (!toEncode.DangerousTryGetSinglePixelMemory(out var target)
            || !original.DangerousTryGetSinglePixelMemory(out var source)
            || !decoded.DangerousTryGetSinglePixelMemory(out var seen)
            || !reference.DangerousTryGetSinglePixelMemory(out var aim))
            throw new InvalidOperationException("The images are not in one contiguous buffer; enable PreferContiguousImageBuffers.");
        if (target.Length != source.Length || seen.Length != source.Length || aim.Length != source.Length)
            throw new ArgumentException("The images must have the same size.");

        long moved = 0;
        var t = target.Span;
        var o = source.Span;
        var d = seen.Span;
        var r = aim.Span;
        for (int i = 0; i < t.Length; i++)
        {
            ref var p = ref t[i];
            moved += Pull(ref p.R, o[i].R, r[i].R, d[i].R, epsilon, round);
            moved += Pull(ref p.G, o[i].G, r[i].G, d[i].G, epsilon, round);
            moved += Pull(ref p.B, o[i].B, r[i].B, d[i].B, epsilon, round);
        }
        return moved;
    }

    private static int Pull(ref byte value, byte original, byte reference, byte decoded, int epsilon, int round)
    {
        int over = decoded - reference;
        int limit = Target(epsilon);
        if (over <= limit && over >= -limit)
            return 0;
        // Aim inside the ball by a margin that grows with the rounds, never past the original.
        int aim = Math.Max(0, epsilon - round);
        int excess = over > 0 ? over - aim : over + aim;
        int adjusted = Math.Clamp(value - excess, Math.Max(0, original - epsilon), Math.Min(255, original + epsilon));
        if (adjusted == value)
            return 0;
        value = (byte)adjusted;
        return 1;
    }
}
