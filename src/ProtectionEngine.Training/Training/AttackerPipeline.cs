using System.Globalization;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// One attacker's view pipeline: the size its victim sees, how much of the photo its crops keep, and whether it blurs,
/// halves and JPEG-compresses. Drawn per step by default; with <see cref="GeneratorTrainingOptions.AttackerPerEpisode"/>
/// drawn once per episode, as a scraper picks one pipeline and keeps it, so that the episode's stand-in learns under
/// one pipeline instead of a new one every step. The per-step draws come from the same distributions, in the order the
/// trainer has always drawn them.
/// </summary>
internal sealed record AttackerPipeline(int ViewSize, double CropSide, double? BlurSigma, bool Halves, int? JpegQuality)
{
    public const double MinCropSide = 0.3;
    public const double BlurProbability = 0.2;

    /// <summary>How far a group's crop may stray from the episode's crop side, either way (a detector's boxes vary).</summary>
    public const double CropJitter = 0.1;

    public static AttackerPipeline Draw(GeneratorTrainingOptions options, Random random) =>
        new(DrawViewSize(options, random), DrawCropSide(random), DrawBlurSigma(random), DrawHalves(random, options.HalvingProbability), DrawJpegQuality(random, options.JpegProbability));

    /// <summary>Drawn only when there is a range, so that runs at one size keep the stream they had before the option existed.</summary>
    public static int DrawViewSize(GeneratorTrainingOptions options, Random random) =>
        options.DrawsProxySize ? random.Next(options.SmallestProxySize, options.ProxySize + 1) : options.ProxySize;

    public static double DrawCropSide(Random random) => MinCropSide + (1 - MinCropSide) * random.NextDouble();

    public static double? DrawBlurSigma(Random random) => random.NextDouble() < BlurProbability ? 0.3 + 0.7 * random.NextDouble() : null;

    public static bool DrawHalves(Random random, double probability) => random.NextDouble() < probability;

    public static int? DrawJpegQuality(Random random, double probability) => random.NextDouble() < probability ? random.Next(60, 96) : null;

    /// <summary>One group's crop side under this pipeline: the episode's, jittered by up to <see cref="CropJitter"/>.</summary>
    public double GroupCropSide(Random random) => Math.Clamp(CropSide * (1 + CropJitter * (2 * random.NextDouble() - 1)), MinCropSide, 1);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{ViewSize} px, crops of {CropSide:0%}{(BlurSigma is { } s ? $", blur {s:0.00}" : "")}{(Halves ? ", halved" : "")}{(JpegQuality is { } q ? $", JPEG {q}" : "")}");
}
