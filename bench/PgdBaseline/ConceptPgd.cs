using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.Bench.Pgd;

/// <summary>
/// The peer baseline the generator is compared with: per-image projected gradient descent on one of the generator's
/// concept objectives (<see cref="ConceptObjective"/>), under the same L-infinity bound, no labels used.
/// <list type="bullet">
/// <item><see cref="GeneratorLossKind.Shortcut"/> (error-minimising): the surrogate features become trivially predictive
/// of the image's own k-means concept.</item>
/// <item><see cref="GeneratorLossKind.Misdirection"/> (error-maximising, adversarial poisoning): the features are pushed
/// toward another concept's centroid (the clusters' fixed derangement) and away from their own, so that what a victim
/// learns from an image's fine detail belongs to a concept other than its content's.</item>
/// </list>
/// Each step: the perturbed image (resized to the surrogate's view) goes through the frozen
/// <see cref="ResNet18Surrogate"/>, the objective is back-propagated to the perturbation, which moves one signed step
/// down and is projected back into [-epsilon, epsilon]. The perturbation lives on a grid of
/// <see cref="PgdSettings.PerturbationSize"/> (or the image's own size) and is upsampled bilinearly to the image: a
/// convex combination of values within the bound stays within it, and a coarse grid survives the scraper's downscale.
/// </summary>
/// <remarks>
/// Images of one call are independent (the surrogate stays in evaluation mode and the sign of the batch-mean gradient
/// is each image's own), so a batch gives the same result as one image at a time, only faster.
/// </remarks>
public sealed class ConceptPgd(ResNet18Surrogate surrogate, PgdSettings settings)
{
    public PgdSettings Settings => settings;

    /// <summary>Clean surrogate features [B, 512] of images [B, 3, H, W] in [0, 1]; what the concepts are fitted on.</summary>
    public Tensor Features(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return surrogate.call(SurrogateInput(images)).MoveToOuterDisposeScope();
    }

    /// <summary>The objective's terms (loss, ce, cosOwn, hit) for images in [0, 1]: how well their features point at their concepts.</summary>
    public IReadOnlyDictionary<string, double> Score(Tensor images, Tensor concepts, ConceptObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return objective.Evaluate(Features(images), concepts).Terms;
    }

    /// <param name="clean">[B, 3, H, W] in [0, 1], holding 8-bit values (k/255).</param>
    /// <param name="concepts">[B] int64: each image's own concept.</param>
    /// <param name="objective">A <see cref="GeneratorLossKind.Shortcut"/> or <see cref="GeneratorLossKind.Misdirection"/> objective over the concepts.</param>
    /// <param name="random">Draws the random start.</param>
    /// <returns>The protected images as 8-bit values [B, 3, H, W] (uint8), each within epsilon levels of the clean one.</returns>
    public Tensor Protect(Tensor clean, Tensor concepts, ConceptObjective objective, TorchSharp.torch.Generator random)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (objective.Kind is not (GeneratorLossKind.Shortcut or GeneratorLossKind.Misdirection))
            throw new ArgumentException($"The PGD baseline takes the Shortcut or Misdirection objective, not {objective.Kind}.", nameof(objective));
        return Protect(clean, concepts, (perturbed, aims) => objective.Evaluate(surrogate.call(SurrogateInput(perturbed)), aims).Loss, random);
    }

    /// <summary>The same descent on any loss of the perturbed images ([B, 3, H, W] in [0, 1]) and their concepts.</summary>
    public Tensor Protect(Tensor clean, Tensor concepts, Func<Tensor, Tensor, Tensor> loss, TorchSharp.torch.Generator random)
    {
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(loss);
        using var scope = NewDisposeScope();
        double epsilon = settings.Epsilon / 255.0, step = settings.StepSize / 255.0;
        long height = clean.shape[2], width = clean.shape[3];
        long[] grid = settings.PerturbationSize is { } side ? [clean.shape[0], 3, side, side] : [.. clean.shape];
        var delta = settings.RandomStart ? rand(grid, generator: random).mul_(2 * epsilon).sub_(epsilon) : zeros(grid);

        for (int i = 0; i < settings.Steps; i++)
        {
            using var stepScope = NewDisposeScope();
            var variable = delta.detach().requires_grad_(true);
            var perturbed = (clean + ToImageSize(variable, height, width)).clamp(0, 1);
            loss(perturbed, concepts).backward();
            using var noGrad = no_grad();
            delta = (variable.detach() - variable.grad!.sign() * step).clamp_(-epsilon, epsilon).MoveToOuterDisposeScope();
        }

        // 8-bit output: the clean values are whole levels and |delta| <= epsilon/255, so rounding keeps the bound exact.
        var protectedLevels = (clean + ToImageSize(delta, height, width)).mul_(255).round_().clamp_(0, 255);
        long largest = (long)(protectedLevels - clean.mul(255).round_()).abs_().max().item<float>();
        if (largest > settings.Epsilon)
            throw new InvalidOperationException($"The projection failed: a value moved by {largest} levels, more than epsilon {settings.Epsilon}.");
        return protectedLevels.to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>The perturbation grid upsampled to the image (bilinear: every value a convex combination of the grid's).</summary>
    private static Tensor ToImageSize(Tensor delta, long height, long width) =>
        delta.shape[2] == height && delta.shape[3] == width
            ? delta
            : functional.interpolate(delta, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Images in [0, 1] at the surrogate's view and scale (0..255).</summary>
    public Tensor SurrogateInput(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        long height = images.shape[2], width = images.shape[3];
        var (viewHeight, viewWidth) = settings.SurrogateSize is { } size ? (size, size) : (RoundToView(height), RoundToView(width));
        if (viewHeight == height && viewWidth == width)
            return images * 255;
        bool shrinking = viewHeight < height || viewWidth < width;
        return functional.interpolate(images, [viewHeight, viewWidth], mode: InterpolationMode.Bilinear, align_corners: false, antialias: shrinking) * 255;
    }

    private static long RoundToView(long side)
    {
        const int multiple = GeneratorTrainingOptions.SurrogateSizeMultiple;
        return Math.Max(ResNet18Surrogate.MinimumSize, (side + multiple / 2) / multiple * multiple);
    }
}
