using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>
/// Draws a random chain of differentiable transformations for one training step, so the generator is optimised for the
/// expected loss over them: a perturbation that only works on the exact pixels it was made for is worthless once a
/// site recompresses or a victim augments. Order: crop, flip, rescale, blur, grayscale, then JPEG (the site's last
/// step). Choices come from the caller's seeded <see cref="Random"/>, so a step is reproducible.
/// </summary>
public sealed class ExpectationOverTransformations
{
    public ExpectationOverTransformations(EotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public EotOptions Options { get; }

    /// <param name="images">[N, 3, H, W] in [0, 1].</param>
    /// <param name="random">Source of every choice.</param>
    /// <returns>The same shape, in [0, 1]; gradients flow back to <paramref name="images"/>.</returns>
    public Tensor Apply(Tensor images, Random random)
    {
        TransformChecks.RequireImages(images);
        ArgumentNullException.ThrowIfNull(random);
        using var scope = NewDisposeScope();
        long height = images.shape[2], width = images.shape[3];
        var x = images.alias();

        if (Draw(random, Options.CropProbability))
        {
            double side = Options.MinCropSide + (1 - Options.MinCropSide) * random.NextDouble();
            long h = Math.Max(1, (long)Math.Round(height * side)), w = Math.Max(1, (long)Math.Round(width * side));
            x = ResizedCrop.Apply(x, random.NextInt64(height - h + 1), random.NextInt64(width - w + 1), h, w);
        }
        if (Options.FlipProbability > 0)
            x = HorizontalFlip.Apply(x, Mask(random, images.shape[0], Options.FlipProbability));
        if (Draw(random, Options.RescaleProbability))
            x = Rescale.Apply(x, Options.MinRescale + (1 - Options.MinRescale) * random.NextDouble());
        if (Draw(random, Options.BlurProbability))
            x = GaussianBlur.Apply(x, Options.MinBlurSigma + (Options.MaxBlurSigma - Options.MinBlurSigma) * random.NextDouble());
        if (Options.GrayscaleProbability > 0)
            x = Grayscale.Apply(x, Mask(random, images.shape[0], Options.GrayscaleProbability));
        if (Draw(random, Options.JpegProbability))
            x = DifferentiableJpeg.Apply(x, random.Next(Options.MinJpegQuality, Options.MaxJpegQuality + 1), Options.JpegRounding);
        return x.MoveToOuterDisposeScope();
    }

    private static bool Draw(Random random, double probability) => probability > 0 && random.NextDouble() < probability;

    /// <summary>One draw per image: true with <paramref name="probability"/>.</summary>
    internal static Tensor Mask(Random random, long count, double probability)
    {
        var values = new bool[count];
        for (int i = 0; i < count; i++)
            values[i] = random.NextDouble() < probability;
        return tensor(values);
    }
}
