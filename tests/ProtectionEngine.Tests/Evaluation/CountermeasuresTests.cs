using UploadGuard.ProtectionEngine.Evaluation;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

public sealed class CountermeasuresTests
{
    private const int Size = 32;

    [Theory]
    [InlineData(Countermeasure.Jpeg75)]
    [InlineData(Countermeasure.Jpeg10)]
    [InlineData(Countermeasure.Grayscale)]
    [InlineData(Countermeasure.Downscale)]
    public void Keeps_size_and_labels_and_changes_a_noisy_image(Countermeasure countermeasure)
    {
        var images = new LabeledImages(Size, [Noisy(1), Noisy(2)], [1, 0], ["a", "b"]);

        var washed = Countermeasures.Apply(images, countermeasure);

        Assert.Equal((2, Size), (washed.Count, washed.Size));
        Assert.Equal([1, 0], new[] { washed.Label(0), washed.Label(1) });
        Assert.NotEqual(images.Pixels(0), washed.Pixels(0));
    }

    [Fact]
    public void Grayscale_makes_the_channels_equal()
    {
        var gray = Countermeasures.Apply(Noisy(3), Size, Countermeasure.Grayscale);
        int plane = Size * Size;
        Assert.Equal(gray[..plane], gray[plane..(2 * plane)]);
        Assert.Equal(gray[..plane], gray[(2 * plane)..]);
    }

    [Fact]
    public void Heavier_jpeg_moves_pixels_further()
    {
        var image = Noisy(4);
        double Error(Countermeasure c) => ImageQuality.Psnr(image, Countermeasures.Apply(image, Size, c))!.Value;
        Assert.True(Error(Countermeasure.Jpeg10) < Error(Countermeasure.Jpeg75));
    }

    [Fact]
    public void Downscaling_a_flat_image_keeps_it()
    {
        var flat = Enumerable.Repeat((byte)77, 3 * Size * Size).ToArray();
        Assert.Equal(flat, Countermeasures.Apply(flat, Size, Countermeasure.Downscale));
    }

    private static byte[] Noisy(int seed)
    {
        var random = new Random(seed);
        var chw = new byte[3 * Size * Size];
        random.NextBytes(chw);
        return chw;
    }
}
