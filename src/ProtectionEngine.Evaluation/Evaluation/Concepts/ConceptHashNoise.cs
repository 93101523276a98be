using System.Numerics;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>
/// The <c>concept-hash</c> row: every photo gets its own block pattern, the signs of random projections of its centred
/// surrogate features (a SimHash: one random hyperplane per channel and block). Photos the surrogate sees as alike get
/// alike patterns, without k-means' hard choice of a few concepts and without any label. It measures whether a
/// label-agnostic code of what the surrogate sees can stand in for the classes better than concepts can.
/// </summary>
internal static class ConceptHashNoise
{
    /// <param name="features">The photos' surrogate features, [N, D] (<see cref="ConceptNoise.Features"/>).</param>
    /// <param name="clean">The same photos at the victim's size (the noise is added to these).</param>
    public static ConceptHashResult Apply(Tensor features, LabeledImages clean, int epsilon, int blockSize, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(clean);
        if (features.shape[0] != clean.Count)
            throw new ArgumentException("The features and the victim-size copies must be of the same photos.", nameof(clean));
        var codes = Codes(features, ClassWiseNoise.SignsPerPattern(clean.Size, blockSize), seed);
        var noisy = ClassWiseNoise.Add(clean, i => ClassWiseNoise.Render(codes[i], clean.Size, blockSize), epsilon);
        return new ConceptHashResult(noisy, codes[0].Length, NeighbourAgreement(codes, clean));
    }

    /// <summary>Each photo's code: the sign (+1 or -1) of its centred features' projection on each of <paramref name="bits"/> random directions.</summary>
    public static sbyte[][] Codes(Tensor features, int bits, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        int count = (int)features.shape[0], dimensions = (int)features.shape[1];
        // Drawn with System.Random so that the directions do not depend on the device or on torch's global generator.
        var random = new Random(seed);
        var directions = new float[bits * dimensions];
        for (int i = 0; i < directions.Length; i++)
            directions[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        using var scope = NewDisposeScope();
        var values = features.cpu().to(float32);
        var signs = Signs(values, values.mean([0]), tensor(directions, [bits, dimensions])).contiguous().data<float>().ToArray();
        var codes = new sbyte[count][];
        for (int i = 0; i < count; i++)
        {
            var code = new sbyte[bits];
            for (int b = 0; b < bits; b++)
                code[b] = (sbyte)signs[i * bits + b];
            codes[i] = code;
        }
        return codes;
    }

    /// <summary>
    /// The share of images whose nearest other code (Hamming distance, ties to the lowest index) belongs to an image of
    /// the same class: how well the codes alone could tell the classes apart (1 when equal codes mean equal classes).
    /// </summary>
    public static double NeighbourAgreement(IReadOnlyList<sbyte[]> codes, LabeledImages images)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(images);
        if (codes.Count < 2)
            return 0;
        var packed = codes.Select(Pack).ToArray();
        int agreeing = 0;
        for (int i = 0; i < packed.Length; i++)
        {
            int best = -1, bestDistance = int.MaxValue;
            for (int j = 0; j < packed.Length; j++)
            {
                if (j == i)
                    continue;
                int distance = 0;
                for (int w = 0; w < packed[i].Length; w++)
                    distance += BitOperations.PopCount(packed[i][w] ^ packed[j][w]);
                if (distance < bestDistance)
                    (best, bestDistance) = (j, distance);
            }
            if (images.Label(best) == images.Label(i))
                agreeing++;
        }
        return (double)agreeing / packed.Length;
    }

    private static ulong[] Pack(sbyte[] code)
    {
        var words = new ulong[(code.Length + 63) / 64];
        for (int b = 0; b < code.Length; b++)
        {
            if (code[b] > 0)
                words[b / 64] |= 1UL << (b % 64);
        }
        return words;
    }

    /// <summary>Each photo's side of each random hyperplane through the features' mean: +1 or -1 per bit.</summary>
    private static Tensor Signs(Tensor features, Tensor mean, Tensor directions)
    {
        using var scope = NewDisposeScope();
        var projections = (features - mean).matmul(directions.t());
        var positive = ones_like(projections);
        return where(projections.ge(zeros_like(projections)), positive, positive.neg()).MoveToOuterDisposeScope();
    }
}
