using UploadGuard.ProtectionEngine.Evaluation;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

public sealed class RandomCropFlipTests
{
    [Fact]
    public void Keeps_the_shape_and_takes_every_value_from_the_reflected_image()
    {
        using var scope = NewDisposeScope();
        var images = rand(6, 3, 32, 32, generator: new Generator(1));

        var augmented = RandomCropFlip.Apply(images, 4, new Random(1));

        Assert.Equal(images.shape, augmented.shape);
        // Reflection and flips only move pixels: each image keeps within its own value range.
        for (int i = 0; i < 6; i++)
        {
            Assert.True(augmented[i].min().item<float>() >= images[i].min().item<float>());
            Assert.True(augmented[i].max().item<float>() <= images[i].max().item<float>());
        }
    }

    [Fact]
    public void Each_sample_gets_its_own_crop_and_flip()
    {
        using var scope = NewDisposeScope();
        // The same image 16 times: per-batch augmentation would leave all copies equal.
        var one = arange(3 * 16 * 16, ScalarType.Float32).view(1, 3, 16, 16);
        var batch = one.expand(16, 3, 16, 16).contiguous();

        var augmented = RandomCropFlip.Apply(batch, 2, new Random(7));

        int distinct = Enumerable.Range(0, 16).Select(i => string.Join(',', augmented[i].flatten().data<float>().ToArray())).Distinct().Count();
        Assert.True(distinct > 4, $"only {distinct} distinct augmentations in 16 samples");
    }

    [Fact]
    public void Without_padding_the_only_change_is_a_horizontal_flip()
    {
        using var scope = NewDisposeScope();
        var images = rand(8, 3, 8, 8, generator: new Generator(2));

        var augmented = RandomCropFlip.Apply(images, 0, new Random(3));

        for (int i = 0; i < 8; i++)
            Assert.True(augmented[i].eq(images[i]).all().item<bool>() || augmented[i].eq(images[i].flip(2)).all().item<bool>());
    }
}
