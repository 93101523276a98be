using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// PSNR and SSIM of 8-bit images against their originals. SSIM follows Wang et al. (2004): an 11x11 Gaussian window
/// with sigma 1.5, C1 = (0.01 * 255)^2, C2 = (0.03 * 255)^2, computed on each RGB channel separately over the windows
/// that fit inside the image ("valid", no padding), averaged over positions and channels, then over images. Per
/// channel rather than on luminance because a perturbation can hide in chroma, which luminance SSIM would not see.
/// </summary>
internal static class ImageQuality
{
    public const int SsimWindow = 11;
    public const double SsimSigma = 1.5;
    // On the 0..1 scale of Stack: (0.01 L)^2 and (0.03 L)^2 with the dynamic range L = 1.
    private const double C1 = 0.01 * 0.01;
    private const double C2 = 0.03 * 0.03;
    private const int BatchSize = 64;

    /// <summary>PSNR of one image in dB, or null when it is identical to the reference.</summary>
    public static double? Psnr(byte[] reference, byte[] changed)
    {
        double squared = SumSquaredError(reference, changed);
        return squared == 0 ? null : PsnrFromMse(squared / reference.Length);
    }

    /// <summary>SSIM of two images of side <paramref name="size"/> (CHW planes), 1 for identical images.</summary>
    public static double Ssim(byte[] reference, byte[] changed, int size)
    {
        using var scope = NewDisposeScope();
        return SsimPerImage(Stack([reference], size), Stack([changed], size)).item<double>();
    }

    public static ImageQualitySummary Compare(LabeledImages reference, LabeledImages changed)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(changed);
        if (reference.Count != changed.Count || reference.Size != changed.Size)
            throw new ArgumentException("Both sets must hold the same number of images of the same size.", nameof(changed));

        double squared = 0;
        long changedValues = 0, values = 0;
        int maxDifference = 0;
        for (int i = 0; i < reference.Count; i++)
        {
            var a = reference.Pixels(i);
            var b = changed.Pixels(i);
            squared += SumSquaredError(a, b);
            values += a.Length;
            for (int j = 0; j < a.Length; j++)
            {
                int d = Math.Abs(a[j] - b[j]);
                if (d != 0)
                    changedValues++;
                maxDifference = Math.Max(maxDifference, d);
            }
        }

        double? ssim = null;
        if (reference.Size >= SsimWindow)
        {
            double total = 0;
            for (int first = 0; first < reference.Count; first += BatchSize)
            {
                using var scope = NewDisposeScope();
                var indices = Enumerable.Range(first, Math.Min(BatchSize, reference.Count - first)).ToList();
                total += SsimPerImage(Stack(indices.Select(reference.Pixels).ToList(), reference.Size),
                    Stack(indices.Select(changed.Pixels).ToList(), reference.Size)).sum().item<double>();
            }
            ssim = total / reference.Count;
        }
        double? psnr = squared == 0 ? null : PsnrFromMse(squared / values);
        return new ImageQualitySummary(reference.Size, psnr, ssim, maxDifference, values == 0 ? 0 : (double)changedValues / values);
    }

    private static double PsnrFromMse(double mse) => 10 * Math.Log10(255.0 * 255.0 / mse);

    private static double SumSquaredError(byte[] a, byte[] b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException("Images differ in size.", nameof(b));
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>
    /// [N, 3, size, size] float32, the 8-bit levels scaled to 0..1. Float32 because libtorch's CPU depthwise
    /// convolution is several times faster in it than in float64; at this scale the variances, differences of squares,
    /// keep errors near 1e-7 against constants of 1e-4 and 1e-3. Not centred: SSIM's luminance term depends on the means.
    /// </summary>
    private static Tensor Stack(List<byte[]> images, int size)
    {
        int plane = 3 * size * size;
        var bytes = new byte[(long)plane * images.Count];
        for (int i = 0; i < images.Count; i++)
            images[i].CopyTo(bytes, (long)i * plane);
        return tensor(bytes, [images.Count, 3, size, size]).to(ScalarType.Float32).div_(255);
    }

    /// <summary>Mean SSIM map of each image over positions and channels: [N].</summary>
    private static Tensor SsimPerImage(Tensor x, Tensor y)
    {
        if (x.shape[2] < SsimWindow || x.shape[3] < SsimWindow)
            throw new ArgumentException($"SSIM needs images of at least {SsimWindow} px.", nameof(x));
        var window = GaussianWindow();
        Tensor Filter(Tensor t)
        {
            // Separable: rows then columns, one group per channel, no padding.
            var rows = nn.functional.conv2d(t, window.view(1, 1, 1, SsimWindow).expand(3, 1, 1, SsimWindow), groups: 3);
            return nn.functional.conv2d(rows, window.view(1, 1, SsimWindow, 1).expand(3, 1, SsimWindow, 1), groups: 3);
        }
        var muX = Filter(x);
        var muY = Filter(y);
        var varX = Filter(x * x) - muX * muX;
        var varY = Filter(y * y) - muY * muY;
        var covariance = Filter(x * y) - muX * muY;
        var map = (2 * muX * muY + C1) * (2 * covariance + C2) / ((muX * muX + muY * muY + C1) * (varX + varY + C2));
        return map.mean([1, 2, 3]).to(ScalarType.Float64);
    }

    private static Tensor GaussianWindow()
    {
        var weights = new double[SsimWindow];
        int radius = SsimWindow / 2;
        for (int i = 0; i < SsimWindow; i++)
            weights[i] = Math.Exp(-(i - radius) * (i - radius) / (2 * SsimSigma * SsimSigma));
        double sum = weights.Sum();
        return tensor(weights.Select(w => (float)(w / sum)).ToArray(), ScalarType.Float32);
    }
}
