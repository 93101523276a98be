using UploadGuard.ProtectionEngine.Evaluation;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

public sealed class ImageQualityTests
{
    private const int Size = 32;

    [Fact]
    public void Identical_images_have_ssim_one_and_no_finite_psnr()
    {
        var image = Photo(1);

        Assert.Equal(1.0, ImageQuality.Ssim(image, image, Size), 12);
        Assert.Null(ImageQuality.Psnr(image, image));
        var set = Set([image, Photo(2)]);
        var summary = ImageQuality.Compare(set, set);
        Assert.Null(summary.PsnrDb);
        Assert.Equal(1.0, summary.Ssim!.Value, 12);
        Assert.Equal(0, summary.MaxAbsDifference);
        Assert.Equal(0, summary.ChangedFraction);
    }

    [Fact]
    public void Ssim_falls_and_psnr_falls_as_the_noise_grows()
    {
        var image = Photo(3);
        double previousSsim = 1, previousPsnr = double.PositiveInfinity;
        foreach (int amplitude in new[] { 2, 8, 32 })
        {
            var noisy = AddNoise(image, amplitude, seed: amplitude);
            double ssim = ImageQuality.Ssim(image, noisy, Size);
            double psnr = ImageQuality.Psnr(image, noisy)!.Value;
            Assert.True(ssim < previousSsim, $"SSIM {ssim} at amplitude {amplitude} is not below {previousSsim}");
            Assert.True(psnr < previousPsnr, $"PSNR {psnr} at amplitude {amplitude} is not below {previousPsnr}");
            previousSsim = ssim;
            previousPsnr = psnr;
        }
    }

    [Fact]
    public void Psnr_of_a_uniform_8_level_change_is_20_log10_of_255_over_8()
    {
        var gray = Enumerable.Repeat((byte)100, 3 * Size * Size).ToArray();
        var shifted = gray.Select(v => (byte)(v + 8)).ToArray();

        Assert.Equal(20 * Math.Log10(255.0 / 8), ImageQuality.Psnr(gray, shifted)!.Value, 9);
        var summary = ImageQuality.Compare(Set([gray]), Set([shifted]));
        Assert.Equal(8, summary.MaxAbsDifference);
        Assert.Equal(1.0, summary.ChangedFraction);
    }

    [Fact]
    public void Images_under_the_ssim_window_get_psnr_but_no_ssim()
    {
        var small = new LabeledImages(8, [new byte[3 * 64]], [0], ["a"]);
        var changed = small.WithPixels([Enumerable.Repeat((byte)1, 3 * 64).ToArray()]);

        var summary = ImageQuality.Compare(small, changed);

        Assert.Null(summary.Ssim);
        Assert.NotNull(summary.PsnrDb);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(32)]
    public void Ssim_equals_the_formula_summed_window_by_window_in_double_precision(int amplitude)
    {
        var image = Photo(7);
        var noisy = AddNoise(image, amplitude, 8);

        // Float32 convolutions (ImageQuality's speed) against float64 sums: within 1e-5, where tables print four decimals.
        Assert.InRange(Math.Abs(NaiveSsim(image, noisy) - ImageQuality.Ssim(image, noisy, Size)), 0, 1e-5);
    }

    /// <summary>Wang et al.'s SSIM on 0..255 levels, each valid 11x11 window of each channel weighted by the Gaussian directly.</summary>
    private static double NaiveSsim(byte[] a, byte[] b)
    {
        const int window = ImageQuality.SsimWindow, radius = window / 2;
        double c1 = Math.Pow(0.01 * 255, 2), c2 = Math.Pow(0.03 * 255, 2);
        var g = Enumerable.Range(0, window).Select(i => Math.Exp(-(i - radius) * (i - radius) / (2 * ImageQuality.SsimSigma * ImageQuality.SsimSigma))).ToArray();
        double norm = g.Sum() * g.Sum();
        double total = 0;
        int count = 0;
        for (int c = 0; c < 3; c++)
        {
            for (int top = 0; top + window <= Size; top++)
            {
                for (int left = 0; left + window <= Size; left++)
                {
                    double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                    for (int i = 0; i < window; i++)
                    {
                        for (int j = 0; j < window; j++)
                        {
                            double w = g[i] * g[j] / norm;
                            double x = a[(c * Size + top + i) * Size + left + j], y = b[(c * Size + top + i) * Size + left + j];
                            mx += w * x;
                            my += w * y;
                            xx += w * x * x;
                            yy += w * y * y;
                            xy += w * x * y;
                        }
                    }
                    double vx = xx - mx * mx, vy = yy - my * my, cov = xy - mx * my;
                    total += (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                    count++;
                }
            }
        }
        return total / count;
    }

    private static LabeledImages Set(IReadOnlyList<byte[]> images) => new(Size, images, images.Select(_ => 0).ToList(), ["a"]);

    /// <summary>Smooth gradients plus texture: structure for SSIM to compare.</summary>
    private static byte[] Photo(int seed)
    {
        var random = new Random(seed);
        var chw = new byte[3 * Size * Size];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                    chw[(c * Size + y) * Size + x] = (byte)Math.Clamp(40 + 5 * x + 3 * y * (c + 1) % 120 + random.Next(20), 0, 255);
        return chw;
    }

    private static byte[] AddNoise(byte[] image, int amplitude, int seed)
    {
        var random = new Random(seed);
        return image.Select(v => (byte)Math.Clamp(v + (random.Next(2) == 0 ? -amplitude : amplitude), 0, 255)).ToArray();
    }
}
