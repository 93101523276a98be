using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Tests.Support;
using UploadGuard.ProtectionEngine.Training.Transforms;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Training.Transforms;

public sealed class DifferentiableJpegTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(30, true)]
    [InlineData(75, true)]
    [InlineData(90, false)]
    public void Is_close_to_a_real_jpeg_round_trip_at_the_same_quality(int quality, bool subsample)
    {
        using var image = TestImages.Photo(64, 48, seed: quality);
        using var scope = NewDisposeScope();
        var original = ToTensor(image);
        using var decoded = RoundTrip(image, quality, subsample);
        var real = ToTensor(decoded);

        var approximation = DifferentiableJpeg.Apply(original, quality, subsampleChroma: subsample);

        double jpegError = MeanAbsLevels(original, real);
        double approximationError = MeanAbsLevels(approximation, real);
        output.WriteLine($"q{quality} {(subsample ? "4:2:0" : "4:4:4")}: |real - original| {jpegError:0.00} levels, |approximation - real| {approximationError:0.00} levels");
        // Loose: the approximation must land much nearer the real decoder's output than the uncompressed image does.
        Assert.True(approximationError < 0.5 * jpegError, $"approximation error {approximationError:0.00} vs JPEG error {jpegError:0.00}");
        Assert.True(approximationError < 3, $"approximation error {approximationError:0.00} levels");
    }

    [Fact]
    public void Quality_scaling_follows_the_ijg_formula()
    {
        Assert.Equal(16, DifferentiableJpeg.ScaledTable(true, 50)[0]);
        Assert.Equal(32, DifferentiableJpeg.ScaledTable(true, 25)[0]);
        Assert.All(DifferentiableJpeg.ScaledTable(false, 100), q => Assert.Equal(1, q));
    }

    private static Image<Rgba32> RoundTrip(Image<Rgba32> image, int quality, bool subsample)
    {
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = quality, ColorType = subsample ? JpegColorType.YCbCrRatio420 : JpegColorType.YCbCrRatio444 });
        stream.Position = 0;
        return Image.Load<Rgba32>(stream);
    }

    private static Tensor ToTensor(Image<Rgba32> image)
    {
        var values = new float[3 * image.Width * image.Height];
        int plane = image.Width * image.Height;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                var p = image[x, y];
                values[y * image.Width + x] = p.R / 255f;
                values[plane + y * image.Width + x] = p.G / 255f;
                values[2 * plane + y * image.Width + x] = p.B / 255f;
            }
        }
        return tensor(values, [1, 3, image.Height, image.Width]);
    }

    private static double MeanAbsLevels(Tensor a, Tensor b) => (a - b).abs().mean().item<float>() * 255.0;
}
