using UploadGuard.ProtectionEngine.Evaluation.Concepts;
using UploadGuard.ProtectionEngine.Evaluation;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation.Concepts;

public sealed class ConceptHashNoiseTests
{
    [Fact]
    public void Neighbour_agreement_is_the_share_of_images_whose_nearest_code_has_their_class()
    {
        var images = new LabeledImages(1, Enumerable.Range(0, 4).Select(_ => new byte[3]).ToList(), [0, 0, 1, 1], ["a", "b"]);
        sbyte[][] codes = [[1, 1, 1], [1, 1, -1], [-1, -1, 1], [-1, -1, -1]];

        Assert.Equal(1.0, ConceptHashNoise.NeighbourAgreement(codes, images));
        Assert.Equal(0.0, ConceptHashNoise.NeighbourAgreement([codes[0], codes[2], codes[1], codes[3]], images));
    }

    [Fact]
    public void Photos_the_surrogate_sees_as_alike_get_alike_codes_and_every_value_moves_by_epsilon_in_blocks()
    {
        const int size = 16, block = 8, photos = 8;
        // Two tight groups of feature vectors on opposite sides of the mean: within a group almost every projection
        // has the same sign, across the groups the opposite one.
        var random = new Random(4);
        var direction = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var values = new float[photos * 64];
        for (int i = 0; i < photos; i++)
        {
            for (int d = 0; d < 64; d++)
                values[i * 64 + d] = (i < photos / 2 ? 1 : -1) * direction[d] + 0.01f * (float)(random.NextDouble() - 0.5);
        }
        using var features = tensor(values, [photos, 64]);
        var pixels = Enumerable.Range(0, photos).Select(i => Enumerable.Repeat((byte)(100 + i), 3 * size * size).ToArray()).ToList();
        var images = new LabeledImages(size, pixels, Enumerable.Range(0, photos).Select(i => i < photos / 2 ? 0 : 1).ToList(), ["x", "y"]);

        var result = ConceptHashNoise.Apply(features, images, epsilon: 8, blockSize: block, seed: 1);
        var codes = ConceptHashNoise.Codes(features, ClassWiseNoise.SignsPerPattern(size, block), seed: 1);

        Assert.Equal(12, result.Bits);
        Assert.Equal(1.0, result.NeighbourAgreement);
        static int Differing(sbyte[] a, sbyte[] b) => a.Zip(b).Count(p => p.First != p.Second);
        Assert.True(Differing(codes[0], codes[1]) <= 1, "photos of one group share (almost) all bits");
        Assert.True(Differing(codes[0], codes[photos - 1]) >= 11, "the other group has (almost) all bits flipped");
        for (int i = 0; i < photos; i++)
        {
            var pattern = ClassWiseNoise.Render(codes[i], size, block);
            var delta = result.Images.Pixels(i).Zip(images.Pixels(i), (a, b) => a - b).ToArray();
            Assert.Equal(pattern.Select(s => 8 * s), delta);
        }
    }
}
