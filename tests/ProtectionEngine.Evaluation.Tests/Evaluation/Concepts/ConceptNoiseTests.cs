using UploadGuard.ProtectionEngine.Evaluation.Concepts;
using UploadGuard.ProtectionEngine.Evaluation;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation.Concepts;

public sealed class ConceptNoiseTests
{
    [Fact]
    public void Purity_is_the_share_of_images_whose_concept_is_led_by_their_own_class()
    {
        const int size = 8;
        var pixels = Enumerable.Range(0, 6).Select(_ => new byte[3 * size * size]).ToList();
        var images = new LabeledImages(size, pixels, [0, 0, 0, 1, 1, 1], ["a", "b"]);

        Assert.Equal(1.0, ConceptNoise.Purity([1, 1, 1, 0, 0, 0], images, 2));
        Assert.Equal(5.0 / 6, ConceptNoise.Purity([0, 0, 1, 1, 1, 1], images, 2), 9);
        Assert.Equal(0.5, ConceptNoise.Purity([0, 0, 0, 0, 0, 0], images, 2));
    }

    [Fact]
    public void Concepts_are_found_without_labels_and_each_gets_one_block_pattern_within_epsilon()
    {
        // Two kinds of photo the surrogate tells apart easily, labelled against the grain: the labels must not matter.
        const int size = 32;
        var random = new Random(3);
        byte[] Photo(bool red) => Enumerable.Range(0, 3 * size * size)
            .Select(j => (byte)((j / (size * size) == 0) == red ? 200 + random.Next(40) : 20 + random.Next(40))).ToArray();
        var pixels = Enumerable.Range(0, 12).Select(i => Photo(red: i < 6)).ToList();
        var images = new LabeledImages(size, pixels, Enumerable.Range(0, 12).Select(i => i % 2).ToList(), ["x", "y"]);

        using var features = ConceptNoise.Features(images, CPU);
        var result = ConceptNoise.Apply(features, images, concepts: 2, epsilon: 8, blockSize: 8, seed: 1);

        Assert.Equal(result.Concepts[0], result.Concepts[5]);
        Assert.NotEqual(result.Concepts[0], result.Concepts[6]);
        Assert.Equal(0.5, result.Purity);
        for (int i = 0; i < 12; i++)
        {
            var delta = result.Images.Pixels(i).Zip(images.Pixels(i), (a, b) => a - b).ToArray();
            Assert.All(delta, d => Assert.Equal(8, Math.Abs(d)));
            var reference = result.Images.Pixels(result.Concepts[i] == result.Concepts[0] ? 0 : 6).Zip(images.Pixels(result.Concepts[i] == result.Concepts[0] ? 0 : 6), (a, b) => a - b);
            Assert.Equal(reference, delta);
        }
    }
}
