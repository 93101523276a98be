using UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>The rows there are, by name, and which run by default.</summary>
public static class BenchmarkRows
{
    /// <summary>The clean training images: the reference accuracy.</summary>
    public static BenchmarkRow Clean { get; } = new("clean", "clean training images", false);

    /// <summary>The training images protected by the engine.</summary>
    public static BenchmarkRow Protected { get; } = new("protected", "protected", true);

    /// <summary>Sanity check, not our method: class-wise +-epsilon noise in blocks, 8x8 by default (uses labels).</summary>
    public static BenchmarkRow SanityBlock { get; } = new("sanity-block", "sanity: class-wise block noise (uses labels)", false);

    /// <summary>Sanity check, not our method: class-wise +-epsilon noise per pixel (uses labels).</summary>
    public static BenchmarkRow SanityPixel { get; } = new("sanity-pixel", "sanity: class-wise per-pixel noise (uses labels)", false);

    /// <summary>
    /// Label-agnostic: the block noise keyed by k-means concepts of the surrogate's features instead of classes, the
    /// best a protector that conditions fixed patterns on the surrogate's concepts could do (<see cref="Concepts.ConceptNoise"/>).
    /// </summary>
    public static BenchmarkRow ConceptBlock { get; } = new("concept-block", "block noise per surrogate k-means concept (label-agnostic)", false);

    /// <summary>
    /// Label-agnostic: a block pattern per photo, the signs of random projections of its surrogate features, so that
    /// photos the surrogate sees as alike get alike patterns (<see cref="Concepts.ConceptHashNoise"/>).
    /// </summary>
    public static BenchmarkRow ConceptHash { get; } = new("concept-hash", "block noise per photo from random projections of its surrogate features (label-agnostic)", false);

    /// <summary>Clean, protected, each countermeasure on the protected images, then on the clean ones, the sanity and the concept rows.</summary>
    public static IReadOnlyList<BenchmarkRow> All { get; } =
    [
        Clean, Protected,
        .. CountermeasureCatalog.All.Select(BenchmarkRow.Countered),
        .. CountermeasureCatalog.All.Select(BenchmarkRow.CleanCountered),
        SanityBlock, SanityPixel, ConceptBlock, ConceptHash,
    ];

    /// <summary>The rows that do not need a generator.</summary>
    public static IReadOnlyList<BenchmarkRow> WithoutModel { get; } = All.Where(r => !r.NeedsProtection).ToList();

    /// <summary>
    /// The rows run when none are named: with a model, all of them, so that every countermeasure row comes with its
    /// clean reference; without one, clean and the sanity rows. The concept rows are opt-in either way (they run the
    /// surrogate over the training set), and so are the references without a model (they refer to nothing then).
    /// </summary>
    public static IReadOnlyList<BenchmarkRow> Defaults(bool withModel) =>
        (withModel ? All : WithoutModel.Where(r => !r.IsCountermeasureReference)).Where(r => !UsesSurrogate(r)).ToList();

    /// <summary>The label-agnostic rows keyed by the surrogate's features of the training photos.</summary>
    public static bool UsesSurrogate(BenchmarkRow row) => row == ConceptBlock || row == ConceptHash;

    public static BenchmarkRow Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        return All.FirstOrDefault(r => r.Name == key)
            ?? throw new ArgumentException($"Unknown row '{name}'; use {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));
    }
}
