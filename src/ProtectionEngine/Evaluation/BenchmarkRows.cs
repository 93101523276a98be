namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>Names of the rows on the command line and in tables, and what each needs.</summary>
public static class BenchmarkRows
{
    public static IReadOnlyList<BenchmarkRow> All { get; } = Enum.GetValues<BenchmarkRow>();

    /// <summary>The rows that do not need a generator.</summary>
    public static IReadOnlyList<BenchmarkRow> WithoutModel { get; } = [BenchmarkRow.Clean, BenchmarkRow.CleanJpeg75, BenchmarkRow.CleanJpeg10,
        BenchmarkRow.CleanGrayscale, BenchmarkRow.CleanDownscale, BenchmarkRow.SanityBlock, BenchmarkRow.SanityPixel, BenchmarkRow.ConceptBlock,
        BenchmarkRow.ConceptHash];

    /// <summary>
    /// The rows run when none are named: with a model, all of them, so that every countermeasure row comes with its
    /// clean reference; without one, clean and the sanity rows. The concept rows are opt-in either way (they run the
    /// surrogate over the training set), and so are the references without a model (they refer to nothing then).
    /// </summary>
    public static IReadOnlyList<BenchmarkRow> Defaults(bool withModel) =>
        (withModel ? All : WithoutModel.Where(r => !IsCountermeasureReference(r))).Where(r => !UsesSurrogate(r)).ToList();

    /// <summary>A row that applies a countermeasure to the clean images, so its cost alone can be told from its effect on protection.</summary>
    public static bool IsCountermeasureReference(BenchmarkRow row) =>
        row is BenchmarkRow.CleanJpeg75 or BenchmarkRow.CleanJpeg10 or BenchmarkRow.CleanGrayscale or BenchmarkRow.CleanDownscale;

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
        BenchmarkRow.CleanJpeg75 => "clean-jpeg75",
        BenchmarkRow.CleanJpeg10 => "clean-jpeg10",
        BenchmarkRow.CleanGrayscale => "clean-gray",
        BenchmarkRow.CleanDownscale => "clean-downscale",
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
        BenchmarkRow.CleanJpeg75 => "clean, then JPEG q75 (countermeasure reference)",
        BenchmarkRow.CleanJpeg10 => "clean, then JPEG q10 (countermeasure reference)",
        BenchmarkRow.CleanGrayscale => "clean, then grayscale (countermeasure reference)",
        BenchmarkRow.CleanDownscale => "clean, then 0.5x and back (countermeasure reference)",
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

    /// <summary>The attacker's countermeasure a row applies (to the protected images, or to the clean ones for a reference), if any.</summary>
    public static Countermeasure? CountermeasureOf(BenchmarkRow row) => row switch
    {
        BenchmarkRow.Jpeg75 or BenchmarkRow.CleanJpeg75 => Countermeasure.Jpeg75,
        BenchmarkRow.Jpeg10 or BenchmarkRow.CleanJpeg10 => Countermeasure.Jpeg10,
        BenchmarkRow.Grayscale or BenchmarkRow.CleanGrayscale => Countermeasure.Grayscale,
        BenchmarkRow.Downscale or BenchmarkRow.CleanDownscale => Countermeasure.Downscale,
        _ => null,
    };
}
