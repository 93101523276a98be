using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation.Countermeasures;

public sealed class CountermeasureCatalogTests
{
    private const int Size = 32;

    public static TheoryData<string> Names => [.. CountermeasureCatalog.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Keeps_size_and_labels_and_changes_a_noisy_image(string name)
    {
        var countermeasure = CountermeasureCatalog.All.Single(c => c.Name == name);
        var images = new LabeledImages(Size, [Noisy(1), Noisy(2)], [1, 0], ["a", "b"]);

        var washed = countermeasure.Apply(images);

        Assert.Equal((2, Size), (washed.Count, washed.Size));
        Assert.Equal([1, 0], new[] { washed.Label(0), washed.Label(1) });
        Assert.NotEqual(images.Pixels(0), washed.Pixels(0));
    }

    [Fact]
    public void Grayscale_makes_the_channels_equal()
    {
        var gray = CountermeasureCatalog.Grey.Apply(Noisy(3), Size);
        int plane = Size * Size;
        Assert.Equal(gray[..plane], gray[plane..(2 * plane)]);
        Assert.Equal(gray[..plane], gray[(2 * plane)..]);
    }

    [Fact]
    public void Heavier_jpeg_moves_pixels_further()
    {
        var image = Noisy(4);
        double Error(Countermeasure c) => ImageQuality.Psnr(image, c.Apply(image, Size))!.Value;
        Assert.True(Error(CountermeasureCatalog.Jpeg10) < Error(CountermeasureCatalog.Jpeg75));
    }

    [Fact]
    public void Downscaling_a_flat_image_keeps_it()
    {
        var flat = Enumerable.Repeat((byte)77, 3 * Size * Size).ToArray();
        Assert.Equal(flat, CountermeasureCatalog.Downscale.Apply(flat, Size));
    }

    [Fact]
    public void Names_are_distinct_and_say_their_setting()
    {
        Assert.Equal(["jpeg75", "jpeg10", "gray", "downscale"], CountermeasureCatalog.All.Select(c => c.Name));
        Assert.Equal(new JpegRecompression(75), CountermeasureCatalog.Jpeg75);
        Assert.Equal("JPEG q10", CountermeasureCatalog.Jpeg10.Description);
    }

    private static byte[] Noisy(int seed)
    {
        var random = new Random(seed);
        var chw = new byte[3 * Size * Size];
        random.NextBytes(chw);
        return chw;
    }
}
