namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>
/// Which transformations training takes the expectation over, and how often each is drawn. Defaults aim at what a
/// site or an attacker does cheaply: resize, crop, flip, recompress, blur, grayscale.
/// </summary>
public sealed record EotOptions
{
    /// <summary>Every transformation off: the surrogate sees exactly the perturbed image.</summary>
    public static EotOptions None { get; } = new()
    {
        RescaleProbability = 0,
        CropProbability = 0,
        FlipProbability = 0,
        JpegProbability = 0,
        BlurProbability = 0,
        GrayscaleProbability = 0,
    };

    /// <summary>Per batch: downscale to a random factor and back (see <see cref="Rescale"/>).</summary>
    public double RescaleProbability { get; init; } = 0.5;

    public double MinRescale { get; init; } = 0.25;

    /// <summary>Per batch: a random window scaled back to full size (see <see cref="ResizedCrop"/>).</summary>
    public double CropProbability { get; init; } = 0.5;

    /// <summary>Smallest window side, as a fraction of the image side.</summary>
    public double MinCropSide { get; init; } = 0.6;

    /// <summary>Per image.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Per batch, at a quality drawn uniformly from [<see cref="MinJpegQuality"/>, <see cref="MaxJpegQuality"/>].</summary>
    public double JpegProbability { get; init; } = 0.5;

    public int MinJpegQuality { get; init; } = 30;

    public int MaxJpegQuality { get; init; } = 95;

    public JpegRounding JpegRounding { get; init; } = JpegRounding.StraightThrough;

    /// <summary>Per batch, sigma drawn uniformly from [<see cref="MinBlurSigma"/>, <see cref="MaxBlurSigma"/>].</summary>
    public double BlurProbability { get; init; } = 0.25;

    public double MinBlurSigma { get; init; } = 0.3;

    public double MaxBlurSigma { get; init; } = 1.0;

    /// <summary>Per image.</summary>
    public double GrayscaleProbability { get; init; } = 0.1;

    public void Validate()
    {
        foreach (var (name, p) in new[]
        {
            (nameof(RescaleProbability), RescaleProbability), (nameof(CropProbability), CropProbability),
            (nameof(FlipProbability), FlipProbability), (nameof(JpegProbability), JpegProbability),
            (nameof(BlurProbability), BlurProbability), (nameof(GrayscaleProbability), GrayscaleProbability),
        })
        {
            if (p is < 0 or > 1 || double.IsNaN(p))
                throw new ArgumentOutOfRangeException(name, p, "A probability must be in [0, 1].");
        }
        if (MinRescale is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(MinRescale), MinRescale, "Must be in (0, 1].");
        if (MinCropSide is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(MinCropSide), MinCropSide, "Must be in (0, 1].");
        if (MinJpegQuality < 1 || MaxJpegQuality > 100 || MinJpegQuality > MaxJpegQuality)
            throw new ArgumentOutOfRangeException(nameof(MinJpegQuality), "JPEG qualities must satisfy 1 <= min <= max <= 100.");
        if (MinBlurSigma <= 0 || MinBlurSigma > MaxBlurSigma)
            throw new ArgumentOutOfRangeException(nameof(MinBlurSigma), "Blur sigmas must satisfy 0 < min <= max.");
    }
}
