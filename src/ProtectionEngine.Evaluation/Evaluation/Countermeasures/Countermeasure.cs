namespace UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

/// <summary>
/// A cheap transformation an attacker can apply to scraped images before training, to wash a perturbation out, applied
/// for real (ImageSharp's own encoders and resamplers, not training's differentiable approximations), image by image.
/// Each one gives the benchmarks two rows: the protected images so transformed, and the clean ones (its cost alone).
/// </summary>
/// <param name="Name">The row's name on the command line and in tables ("jpeg75"; its reference is "clean-jpeg75").</param>
/// <param name="Description">What it does, for tables ("JPEG q75").</param>
public abstract record Countermeasure(string Name, string Description)
{
    /// <summary>One image's CHW planes, transformed.</summary>
    public abstract byte[] Apply(byte[] chw, int size);

    public LabeledImages Apply(LabeledImages images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var output = new byte[images.Count][];
        Parallel.For(0, images.Count, i => output[i] = Apply(images.Pixels(i), images.Size));
        return images.WithPixels(output);
    }
}
