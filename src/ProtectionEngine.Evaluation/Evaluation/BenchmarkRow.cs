using UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>One training set the benchmark trains victims on; every row is tested on the same clean test images.</summary>
/// <param name="Name">On the command line and in tables.</param>
/// <param name="Description">For tables and progress lines.</param>
/// <param name="NeedsProtection">Whether it is made from the images the engine protected (so it needs a model).</param>
/// <param name="Countermeasure">The attacker's transformation it applies, to the protected images or, for a reference, to the clean ones.</param>
public sealed record BenchmarkRow(string Name, string Description, bool NeedsProtection, Countermeasure? Countermeasure = null)
{
    /// <summary>A countermeasure applied to the clean images, so its cost alone can be told from its effect on protection.</summary>
    public bool IsCountermeasureReference => Countermeasure is not null && !NeedsProtection;

    /// <summary>The protected images after <paramref name="countermeasure"/>.</summary>
    public static BenchmarkRow Countered(Countermeasure countermeasure)
    {
        ArgumentNullException.ThrowIfNull(countermeasure);
        return new(countermeasure.Name, $"protected, then {countermeasure.Description}", true, countermeasure);
    }

    /// <summary>The clean images after <paramref name="countermeasure"/>: the reference for <see cref="Countered"/>.</summary>
    public static BenchmarkRow CleanCountered(Countermeasure countermeasure)
    {
        ArgumentNullException.ThrowIfNull(countermeasure);
        return new($"clean-{countermeasure.Name}", $"clean, then {countermeasure.Description} (countermeasure reference)", false, countermeasure);
    }
}
