using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>
/// A differentiable stand-in for a JPEG encode and decode, so that a perturbation learns to survive the recompression a
/// site or an attacker applies: RGB to full-range YCbCr (JFIF), optional 4:2:0 chroma subsampling (2x2 mean), 8x8 DCT,
/// quantisation by the standard IJG tables scaled to the quality, rounding that passes gradients, dequantisation,
/// inverse DCT, chroma upsampling (bilinear), back to RGB and rounded to 8-bit levels.
/// </summary>
/// <remarks>
/// Real encoders differ in details (chroma filters, DCT arithmetic, coefficient clamping); the approximation only has to
/// destroy what JPEG destroys. Tests compare it with ImageSharp's encoder at the same quality.
/// </remarks>
internal static class DifferentiableJpeg
{
    public const int BlockSize = 8;

    // ITU T.81 Annex K, tables K.1 and K.2, row-major.
    private static readonly int[] LuminanceTable =
    [
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly int[] ChrominanceTable =
    [
        17, 18, 24, 47, 99, 99, 99, 99,
        18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
    ];

    /// <summary>The IJG (libjpeg) quality scaling that most encoders, ImageSharp's included, apply to the standard tables.</summary>
    public static int[] ScaledTable(bool luminance, int quality)
    {
        if (quality is < 1 or > 100)
            throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality is 1..100.");
        int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
        return (luminance ? LuminanceTable : ChrominanceTable)
            .Select(q => Math.Clamp((q * scale + 50) / 100, 1, 255))
            .ToArray();
    }

    /// <param name="images">[N, 3, H, W] RGB in [0, 1]; any size (edges are padded by replication to whole blocks).</param>
    /// <param name="quality">1..100, as an encoder's quality setting.</param>
    /// <param name="rounding">How coefficients and output levels are rounded.</param>
    /// <param name="subsampleChroma">4:2:0, as most encoders do at default settings; false gives 4:4:4.</param>
    /// <returns>The same shape, in [0, 1].</returns>
    public static Tensor Apply(Tensor images, int quality, JpegRounding rounding = JpegRounding.StraightThrough, bool subsampleChroma = true)
    {
        TransformChecks.RequireImages(images);
        using var scope = NewDisposeScope();
        long height = images.shape[2], width = images.shape[3];
        int unit = subsampleChroma ? 2 * BlockSize : BlockSize;
        long padBottom = (unit - height % unit) % unit, padRight = (unit - width % unit) % unit;

        var x = images * 255;
        if (padBottom > 0 || padRight > 0)
            x = functional.pad(x, [0, padRight, 0, padBottom], PaddingModes.Replicate);
        Tensor r = x[.., 0], g = x[.., 1], b = x[.., 2];
        var y = 0.299 * r + 0.587 * g + 0.114 * b;
        var cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
        var cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
        if (subsampleChroma)
        {
            cb = functional.avg_pool2d(cb.unsqueeze(1), 2).squeeze(1);
            cr = functional.avg_pool2d(cr.unsqueeze(1), 2).squeeze(1);
        }

        var dct = DctMatrix(images.device);
        var lumaTable = Table(true, quality, images.device);
        var chromaTable = Table(false, quality, images.device);
        y = Quantise(y - 128, dct, lumaTable, rounding) + 128;
        cb = Quantise(cb - 128, dct, chromaTable, rounding) + 128;
        cr = Quantise(cr - 128, dct, chromaTable, rounding) + 128;
        if (subsampleChroma)
        {
            long[] full = [y.shape[1], y.shape[2]];
            cb = functional.interpolate(cb.unsqueeze(1), full, mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
            cr = functional.interpolate(cr.unsqueeze(1), full, mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        }

        var rgb = stack([
            y + 1.402 * (cr - 128),
            y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128),
            y + 1.772 * (cb - 128),
        ], 1);
        if (padBottom > 0 || padRight > 0)
            rgb = rgb.narrow(2, 0, height).narrow(3, 0, width);
        var levels = DifferentiableRounding.Round(rgb, rounding).clamp(0, 255);
        return (levels / 255).MoveToOuterDisposeScope();
    }

    /// <summary>Transforms each 8x8 block of a plane [N, H, W] (H, W multiples of 8), quantises, and transforms back.</summary>
    private static Tensor Quantise(Tensor plane, Tensor dct, Tensor table, JpegRounding rounding)
    {
        long n = plane.shape[0], rows = plane.shape[1] / BlockSize, columns = plane.shape[2] / BlockSize;
        var blocks = plane.reshape(n, rows, BlockSize, columns, BlockSize).permute(0, 1, 3, 2, 4);
        var coefficients = dct.matmul(blocks).matmul(dct.t());
        var quantised = DifferentiableRounding.Round(coefficients / table, rounding) * table;
        var pixels = dct.t().matmul(quantised).matmul(dct);
        return pixels.permute(0, 1, 3, 2, 4).reshape(n, rows * BlockSize, columns * BlockSize);
    }

    /// <summary>The orthonormal 8-point DCT-II matrix; D X D^T is JPEG's forward DCT of a block X.</summary>
    private static Tensor DctMatrix(Device device)
    {
        var values = new float[BlockSize * BlockSize];
        for (int u = 0; u < BlockSize; u++)
        {
            double scale = u == 0 ? Math.Sqrt(1.0 / BlockSize) : Math.Sqrt(2.0 / BlockSize);
            for (int x = 0; x < BlockSize; x++)
                values[u * BlockSize + x] = (float)(scale * Math.Cos((2 * x + 1) * u * Math.PI / (2 * BlockSize)));
        }
        return tensor(values, [BlockSize, BlockSize], device: device);
    }

    private static Tensor Table(bool luminance, int quality, Device device) =>
        tensor(ScaledTable(luminance, quality).Select(v => (float)v).ToArray(), [BlockSize, BlockSize], device: device);
}
