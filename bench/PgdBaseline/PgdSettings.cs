using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Bench.Pgd;

/// <summary>
/// The peer baseline's settings: L-infinity PGD that minimises the surrogate's concept cross-entropy (the generator's
/// Shortcut objective) for each image separately.
/// </summary>
public sealed record PgdSettings
{
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
        if (K < 2)
            throw new ArgumentOutOfRangeException(nameof(K), K, "At least 2 concepts.");
        if (Temperature <= 0 || double.IsNaN(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "The temperature must be positive.");
    }

    public string Describe() =>
        FormattableString.Invariant($"{Steps} steps, epsilon {Epsilon}/255, step {StepSize}/255, L-inf projection every step, ")
        + (RandomStart ? "uniform random start, " : "zero start, ")
        + "surrogate view " + (SurrogateSize is { } s ? FormattableString.Invariant($"{s}x{s} (resized)") : "native (sides rounded to multiples of 32)")
        + FormattableString.Invariant($", K = {K} concepts, temperature {Temperature}, seed {Seed}");
}
