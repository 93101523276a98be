using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>What the efficacy benchmark measures and how (docs/evaluation.md).</summary>
public sealed record BenchmarkOptions
{
    /// <summary>A folder or .tar / .tar.gz archive with <c>&lt;subset&gt;/&lt;class&gt;/&lt;file&gt;</c> images.</summary>
    public required string DataSource { get; init; }

    public required string TrainSubset { get; init; }

    public required string TestSubset { get; init; }

    /// <summary>Training images per class (seeded random choice); null keeps all.</summary>
    public int? PerClass { get; init; }

    /// <summary>Side of the square images the victims train and test on.</summary>
    public int Size { get; init; } = 32;

    /// <summary>
    /// Side the training images are protected at, then resized to <see cref="Size"/> (a photo is protected as
    /// uploaded, and the scraper shrinks it later). Null protects at <see cref="Size"/>.
    /// </summary>
    public int? ProtectSize { get; init; }

    /// <summary>Registry version that protects the training images; null runs only the rows that need no model.</summary>
    public string? ModelVersion { get; init; }

    public required string ModelsPath { get; init; }

    public IReadOnlyList<VictimArchitecture> Architectures { get; init; } = [VictimArchitecture.ResNet20];

    public IReadOnlyList<BenchmarkRow> Rows { get; init; } = BenchmarkRows.All;

    public VictimRecipe Recipe { get; init; } = new();

    /// <summary>Seeds the per-class choice, the sanity patterns and every victim (the same seed for every row).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>L-infinity budget in 8-bit levels, for the engine and for the sanity baselines.</summary>
    public int Epsilon { get; init; } = 8;

    /// <summary>What the engine encodes the protected images as: JPEG (the engine's output: quality 100, 4:4:4, re-projected) as for a JPEG upload, or PNG.</summary>
    public OutputFormat ProtectFormat { get; init; } = OutputFormat.Jpeg;

    /// <summary><c>auto</c>, <c>cpu</c> or <c>cuda</c>, for the generator and the victims.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>k-means concepts of the <c>concept-block</c> row (chosen without looking at the labels).</summary>
    public int Concepts { get; init; } = 10;

    /// <summary>
    /// Side in pixels (at the victim's size) of the blocks of the <c>sanity-block</c> and <c>concept-block</c> noise. 8 is
    /// the reference's; at larger victim sizes the recipe's crops shift by more, so the block has to grow with them.
    /// </summary>
    public int BlockSize { get; init; } = 8;

    /// <summary>
    /// Share of the <c>sanity-block</c> images that get their own class's pattern; the rest get another class's, drawn
    /// at random (seeded). 1 is the reference baseline; lower values calibrate how often a label-agnostic key must agree
    /// with the classes (a concept's purity) before its shortcut is learned instead of the content.
    /// </summary>
    public double SanityAgreement { get; init; } = 1;

    public int EffectiveProtectSize => ProtectSize ?? Size;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataSource))
            throw new ArgumentException("A data source is required.", nameof(DataSource));
        if (string.IsNullOrWhiteSpace(TrainSubset) || string.IsNullOrWhiteSpace(TestSubset))
            throw new ArgumentException("Both a training and a test subset are required.", nameof(TrainSubset));
        if (TrainSubset == TestSubset)
            throw new ArgumentException("The training and test subsets must differ.", nameof(TestSubset));
        if (Size is < 8 or > 512)
            throw new ArgumentOutOfRangeException(nameof(Size), Size, "The victim's image size must be between 8 and 512 pixels.");
        if (ProtectSize is < 8 or > 2048)
            throw new ArgumentOutOfRangeException(nameof(ProtectSize), ProtectSize, "The protection size must be between 8 and 2048 pixels.");
        if (PerClass is < 1)
            throw new ArgumentOutOfRangeException(nameof(PerClass), PerClass, "At least one image per class.");
        if (!ProtectionOptions.IsValidEpsilon(Epsilon))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, ProtectionOptions.EpsilonRangeMessage(nameof(Epsilon)));
        if (Concepts is < 2 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(Concepts), Concepts, "The concept row needs 2 to 1,000 concepts.");
        if (BlockSize < 2 || BlockSize > Size)
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, $"The noise blocks must be 2 to {Size} pixels (the victim's size).");
        if (SanityAgreement is < 0 or > 1 || double.IsNaN(SanityAgreement))
            throw new ArgumentOutOfRangeException(nameof(SanityAgreement), SanityAgreement, "The sanity agreement is a share from 0 to 1.");
        if (Architectures.Count == 0 || Rows.Count == 0)
            throw new ArgumentException("At least one architecture and one row.", nameof(Rows));
        var needing = Rows.Where(r => r.NeedsProtection).Select(r => r.Name).ToList();
        if (ModelVersion is null && needing.Count > 0)
            throw new ArgumentException($"Row(s) {string.Join(", ", needing)} need a model to protect the training images.", nameof(ModelVersion));
        if (ProtectFormat is not (OutputFormat.Jpeg or OutputFormat.Png))
            throw new ArgumentOutOfRangeException(nameof(ProtectFormat), ProtectFormat, "Protected images are encoded as JPEG or PNG.");
        Recipe.Validate();
    }
}
