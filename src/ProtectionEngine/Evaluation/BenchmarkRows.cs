namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>Names of the rows on the command line and in tables, and what each needs.</summary>
public static class BenchmarkRows
{
    public static IReadOnlyList<BenchmarkRow> All { get; } = Enum.GetValues<BenchmarkRow>();

    /// <summary>The rows that do not need a generator.</summary>
    public static IReadOnlyList<BenchmarkRow> WithoutModel { get; } = [BenchmarkRow.Clean, BenchmarkRow.SanityBlock, BenchmarkRow.SanityPixel, BenchmarkRow.ConceptBlock,
        BenchmarkRow.ConceptHash];

    /// <summary>
    /// The rows run when none are named: all of them with a model, the model-free ones without; the concept row is
    /// opt-in either way (they run the surrogate over the training set).
    /// </summary>
    public static IReadOnlyList<BenchmarkRow> Defaults(bool withModel) =>
        (withModel ? All : WithoutModel).Where(r => !UsesSurrogate(r)).ToList();

    /// <summary>The label-agnostic rows keyed by the surrogate's features of the training photos.</summary>
    public static bool UsesSurrogate(BenchmarkRow row) => row is BenchmarkRow.ConceptBlock or BenchmarkRow.ConceptHash;

    public static string Name(BenchmarkRow row) => row switch
    {
        BenchmarkRow.Clean => "clean",
        BenchmarkRow.Protected => "protected",
        BenchmarkRow.Jpeg75 => "jpeg75",
        BenchmarkRow.Jpeg10 => "jpeg10",
        BenchmarkRow.Grayscale => "gray",
        BenchmarkRow.Downscale => "downscale",
        BenchmarkRow.SanityBlock => "sanity-block",
        BenchmarkRow.SanityPixel => "sanity-pixel",
        BenchmarkRow.ConceptBlock => "concept-block",
        BenchmarkRow.ConceptHash => "concept-hash",
        _ => throw new ArgumentOutOfRangeException(nameof(row), row, null),
    };

    public static string Description(BenchmarkRow row) => row switch
    {
        BenchmarkRow.Clean => "clean training images",
        BenchmarkRow.Protected => "protected",
        BenchmarkRow.Jpeg75 => "protected, then JPEG q75",
        BenchmarkRow.Jpeg10 => "protected, then JPEG q10",
        BenchmarkRow.Grayscale => "protected, then grayscale",
        BenchmarkRow.Downscale => "protected, then 0.5x and back",
        BenchmarkRow.SanityBlock => "sanity: class-wise block noise (uses labels)",
        BenchmarkRow.SanityPixel => "sanity: class-wise per-pixel noise (uses labels)",
        BenchmarkRow.ConceptBlock => "block noise per surrogate k-means concept (label-agnostic)",
        BenchmarkRow.ConceptHash => "block noise per photo from random projections of its surrogate features (label-agnostic)",
        _ => throw new ArgumentOutOfRangeException(nameof(row), row, null),
    };

    public static BenchmarkRow Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        foreach (var row in All)
        {
            if (Name(row) == key)
                return row;
        }
        throw new ArgumentException($"Unknown row '{name}'; use {string.Join(", ", All.Select(Name))}.", nameof(name));
    }

    public static bool NeedsProtection(BenchmarkRow row) => !WithoutModel.Contains(row);

    /// <summary>The attacker's countermeasure a row applies to the protected images, if any.</summary>
    public static Countermeasure? CountermeasureOf(BenchmarkRow row) => row switch
    {
        BenchmarkRow.Jpeg75 => Countermeasure.Jpeg75,
        BenchmarkRow.Jpeg10 => Countermeasure.Jpeg10,
        BenchmarkRow.Grayscale => Countermeasure.Grayscale,
        BenchmarkRow.Downscale => Countermeasure.Downscale,
        _ => null,
    };
}
