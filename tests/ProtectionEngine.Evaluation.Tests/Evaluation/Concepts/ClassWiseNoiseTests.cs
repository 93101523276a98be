using UploadGuard.ProtectionEngine.Evaluation.Concepts;
using UploadGuard.ProtectionEngine.Evaluation;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation.Concepts;

public sealed class ClassWiseNoiseTests
{
    [Fact]
    public void Block_patterns_are_constant_within_each_8x8_block_and_differ_between_classes()
    {
        const int size = 32, block = 8;
        var patterns = ClassWiseNoise.Patterns(10, size, block, seed: 1);

        foreach (var pattern in patterns)
        {
            Assert.All(pattern, s => Assert.True(s is 1 or -1));
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        Assert.Equal(pattern[(c * size + y / block * block) * size + x / block * block], pattern[(c * size + y) * size + x]);
        }
        Assert.NotEqual(patterns[0], patterns[1]);
        Assert.Equal(patterns[3], ClassWiseNoise.Patterns(10, size, block, seed: 1)[3]);
    }

    [Fact]
    public void Noise_moves_each_value_by_at_most_epsilon_follows_the_class_and_clips_to_8_bits()
    {
        const int size = 16;
        var dark = new byte[3 * size * size];
        var mid = Enumerable.Repeat((byte)128, 3 * size * size).ToArray();
        var images = new LabeledImages(size, [dark, mid, mid], [0, 1, 1], ["a", "b"]);

        var noisy = ClassWiseNoise.Apply(images, epsilon: 8, blockSize: 8, seed: 5);

        Assert.All(noisy.Pixels(0), v => Assert.True(v is 0 or 8));   // -8 clips at 0
        Assert.All(noisy.Pixels(1), v => Assert.True(v is 120 or 136));
        Assert.Equal(noisy.Pixels(1), noisy.Pixels(2));                 // one fixed pattern per class
        Assert.Equal([0, 1, 1], Enumerable.Range(0, 3).Select(noisy.Label));
    }

    [Fact]
    public void Per_pixel_patterns_vary_inside_a_block()
    {
        var pattern = ClassWiseNoise.Patterns(1, 32, 1, seed: 2)[0];
        Assert.Contains(pattern[..64], s => s == 1);
        Assert.Contains(pattern[..64], s => s == -1);
    }

    [Fact]
    public void Lower_agreement_keys_exactly_that_share_by_the_own_class_and_the_rest_by_another()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i % 10).ToList();
        var images = new LabeledImages(1, labels.Select(_ => new byte[3]).ToList(), labels, Enumerable.Range(0, 10).Select(c => $"c{c}").ToList());

        var keys = ClassWiseNoise.Keys(images, agreement: 0.8, seed: 3);

        Assert.Equal(80, keys.Where((k, i) => k == labels[i]).Count());
        Assert.All(keys, k => Assert.InRange(k, 0, 9));
        Assert.Equal(keys, ClassWiseNoise.Keys(images, agreement: 0.8, seed: 3));
        Assert.Equal(labels, ClassWiseNoise.Keys(images, agreement: 1, seed: 3));
        Assert.DoesNotContain(ClassWiseNoise.Keys(images, agreement: 0, seed: 3).Select((k, i) => k == labels[i]), same => same);
        var options = new BenchmarkOptions { DataSource = "d", TrainSubset = "a/", TestSubset = "b/", ModelsPath = "m", Rows = BenchmarkRows.WithoutModel };
        Assert.Throws<ArgumentOutOfRangeException>((options with { SanityAgreement = 1.5 }).Validate);
    }
}
