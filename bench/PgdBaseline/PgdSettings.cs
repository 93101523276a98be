using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Bench.Pgd;

/// <summary>
/// The peer baseline's settings: L-infinity PGD on one of the generator's concept objectives (error-minimising
/// Shortcut by default, or error-maximising Misdirection) for each image separately.
/// </summary>
public sealed record PgdSettings
{
    /// <summary><see cref="GeneratorLossKind.Shortcut"/> or <see cref="GeneratorLossKind.Misdirection"/>.</summary>
    public GeneratorLossKind Objective { get; init; } = GeneratorLossKind.Shortcut;

    /// <summary>Misdirection only: weight of the mean cosine to the own centroid (the trainer's default).</summary>
    public double AwayWeight { get; init; } = 1.0;

    public int Steps { get; init; } = 10;

    /// <summary>L-infinity budget in 8-bit levels, as the engine's epsilon.</summary>
    public int Epsilon { get; init; } = 8;

    /// <summary>Step size in 8-bit levels: epsilon/4 = 2 = 2.5 x epsilon / steps for the defaults.</summary>
    public double StepSize { get; init; } = 2;

    /// <summary>
    /// The side of the square the surrogate sees (the perturbed image is resized to it, differentiably), a multiple of
    /// 32; null: the image's own size with each side rounded to a multiple of 32 (Kodak's 768x512 stays as it is). The
    /// perturbation itself always lives at the image's own size, where its bound is exact.
    /// </summary>
    public int? SurrogateSize { get; init; }

    /// <summary>
    /// The side of the square grid the perturbation lives on, upsampled bilinearly to the image; null: the image's own
    /// pixels. A grid at the victim's size (64 for 224-px photos a scraper shrinks to 64) is what survives that shrink.
    /// </summary>
    public int? PerturbationSize { get; init; }

    /// <summary>
    /// Null: PGD runs against the ImageNet surrogate's concept objective. A number: a <see cref="CraftingNetwork"/> is first
    /// trained for that many epochs on the concepts at <see cref="CraftingSize"/>, and PGD runs against it instead.
    /// </summary>
    public int? CraftingEpochs { get; init; }

    /// <summary>The side the crafting network sees photos at (the victim's size); null: the protection size.</summary>
    public int? CraftingSize { get; init; }

    /// <summary>
    /// A registry version of a <see cref="ConceptPoisonGenerator"/> whose crafting network PGD runs against instead of
    /// training one: the shipped model's attack with other steps, start or grid. Each photo's aim is the target of the
    /// concept that network reads in it, as in the engine; its working size is the crafting size.
    /// </summary>
    public string? CraftingModel { get; init; }

    /// <summary>k-means concepts fitted on the clean features of the images being protected.</summary>
    public int K { get; init; } = 10;

    /// <summary>Softmax temperature of the concept logits; the trainer's default.</summary>
    public double Temperature { get; init; } = 0.1;

    /// <summary>Start from uniform noise in [-epsilon, epsilon] (as sample-wise error-minimising noise does), else from zero.</summary>
    public bool RandomStart { get; init; } = true;

    /// <summary>Seeds k-means and the random start.</summary>
    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (Steps < 1)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "At least one step.");
        if (Epsilon is < 1 or > 32)
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must be 1..32 levels.");
        if (StepSize <= 0 || double.IsNaN(StepSize))
            throw new ArgumentOutOfRangeException(nameof(StepSize), StepSize, "The step size must be positive.");
        if (SurrogateSize is { } size && (size < ResNet18Surrogate.MinimumSize || size % GeneratorTrainingOptions.SurrogateSizeMultiple != 0))
            throw new ArgumentOutOfRangeException(nameof(SurrogateSize), size, $"The surrogate size must be a multiple of {GeneratorTrainingOptions.SurrogateSizeMultiple}, at least {ResNet18Surrogate.MinimumSize}.");
        if (Objective is not (GeneratorLossKind.Shortcut or GeneratorLossKind.Misdirection))
            throw new ArgumentOutOfRangeException(nameof(Objective), Objective, "The objective must be shortcut or misdirection.");
        if (AwayWeight < 0 || double.IsNaN(AwayWeight))
            throw new ArgumentOutOfRangeException(nameof(AwayWeight), AwayWeight, "The away weight must be zero or positive.");
        if (PerturbationSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(PerturbationSize), PerturbationSize, "The perturbation grid needs at least one cell a side.");
        if (CraftingEpochs is < 1)
            throw new ArgumentOutOfRangeException(nameof(CraftingEpochs), CraftingEpochs, "The crafting network needs at least one epoch.");
        if (CraftingModel is not null && (CraftingEpochs is not null || CraftingSize is not null))
            throw new ArgumentException("--crafting-model brings its own network and size; leave out --crafting-epochs and --crafting-size.");
        if (CraftingSize is < 16)
            throw new ArgumentOutOfRangeException(nameof(CraftingSize), CraftingSize, "The crafting network needs at least 16 px.");
        if (K < 2)
            throw new ArgumentOutOfRangeException(nameof(K), K, "At least 2 concepts.");
        if (Temperature <= 0 || double.IsNaN(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "The temperature must be positive.");
    }

    public string Describe() =>
        (Objective == GeneratorLossKind.Shortcut ? "error-minimising (shortcut to the own concept), " : FormattableString.Invariant($"error-maximising (misdirection to another concept, away weight {AwayWeight}), "))
        + FormattableString.Invariant($"{Steps} steps, epsilon {Epsilon}/255, step {StepSize}/255, L-inf projection every step, ")
        + (RandomStart ? "uniform random start, " : "zero start, ")
        + (PerturbationSize is { } grid ? FormattableString.Invariant($"perturbation on a {grid}x{grid} grid upsampled bilinearly, ") : "perturbation per pixel, ")
        + (CraftingModel is { } model ? $"against the crafting network of model {model} at its working size (aims from its own reading; surrogate concepts only graded, view "
            : CraftingEpochs is { } epochs
            ? FormattableString.Invariant($"against a ResNet-20 crafting network trained {epochs} epochs on the concepts at {(CraftingSize is { } c ? $"{c} px" : "the protection size")} (concepts from the surrogate, view ")
            : "surrogate view ") + (SurrogateSize is { } s ? FormattableString.Invariant($"{s}x{s} (resized)") : "native (sides rounded to multiples of 32)")
        + (CraftingEpochs is null && CraftingModel is null ? "" : ")")
        + FormattableString.Invariant($", K = {K} concepts, temperature {Temperature}, seed {Seed}");
}
