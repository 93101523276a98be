using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>What the identity benchmark measures and how (docs/evaluation.md, "Owner-keyed protection").</summary>
public sealed record IdentityBenchmarkOptions
{
    /// <summary>A folder or archive of <c>&lt;root&gt;/&lt;person&gt;/&lt;photo&gt;</c>, such as LFW.</summary>
    public required string DataSource { get; init; }

    /// <summary>People with fewer photos are left out.</summary>
    public int MinPhotos { get; init; } = 50;

    /// <summary>At most this many photos per person (the first by file name).</summary>
    public int MaxPhotos { get; init; } = 150;

    /// <summary>Per person, the first floor(fraction x n) photos by file name train, the rest test.</summary>
    public double TrainFraction { get; init; } = 0.7;

    /// <summary>People whose training photos are protected (drawn with the seed).</summary>
    public int Owners { get; init; } = 3;

    /// <summary>Side the photos are held and protected at (LFW's own 250 px).</summary>
    public int PhotoSize { get; init; } = 250;

    /// <summary>Side of the face box the attacker crops, before its per-photo jitter (<see cref="FaceCrop"/>).</summary>
    public int FaceBox { get; init; } = 128;

    /// <summary>Side the victims see the face crops at.</summary>
    public int VictimSize { get; init; } = 64;

    public string? ModelVersion { get; init; }

    public required string ModelsPath { get; init; }

    /// <summary>Victims: <see cref="VictimArchitecture"/>s, and the linear probe on the surrogate's features when set.</summary>
    public IReadOnlyList<VictimArchitecture> Architectures { get; init; } = [VictimArchitecture.ResNet20];

    /// <summary>Also train a linear classifier on the pretrained surrogate's features of the face crops.</summary>
    public bool LinearProbe { get; init; }

    public IReadOnlyList<IdentityRow> Rows { get; init; } = [IdentityRows.Clean, IdentityRows.Protected];

    public VictimRecipe Recipe { get; init; } = new();

    public int Seed { get; init; } = 1;

    /// <summary>
    /// Seeds the benchmark's owner-key secret on its own, so the same owners, crops and victims can be measured under
    /// other keys (whether an owner or a key decides a draw); <see cref="Seed"/> when unset.
    /// </summary>
    public int? KeySeed { get; init; }

    /// <summary>The seed the owner-key secret is made from.</summary>
    public int EffectiveKeySeed => KeySeed ?? Seed;

    /// <summary>
    /// Victims trained per row and victim on the same photos, each from its own initialisation and batch order
    /// (<see cref="VictimSeed"/>): how far one run's figures move.
    /// </summary>
    public int VictimSeeds { get; init; } = 1;

    /// <summary>
    /// The 1-based index of the first victim trained: 2 with <see cref="VictimSeeds"/> 2 trains the second and third
    /// victims of a run whose first one was already measured, with the seeds they would have had in one run.
    /// </summary>
    public int FirstVictim { get; init; } = 1;

    /// <summary>The seed of a row's <paramref name="repeat"/>-th victim: <see cref="Seed"/> for the first, so one victim reproduces earlier results, then 1000 apart.</summary>
    public int VictimSeed(int repeat) => unchecked(Seed + 1000 * repeat);

    public int Epsilon { get; init; } = 8;

    public OutputFormat ProtectFormat { get; init; } = OutputFormat.Jpeg;

    public string Device { get; init; } = "auto";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataSource))
            throw new ArgumentException("Identity data (a folder or archive of person folders) is required.", nameof(DataSource));
        if (MinPhotos < 2 || MaxPhotos < MinPhotos)
            throw new ArgumentOutOfRangeException(nameof(MinPhotos), "Need 2 <= --min-photos <= --max-photos.");
        if (TrainFraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(TrainFraction), TrainFraction, "The training fraction must be in (0, 1).");
        if (Owners < 1)
            throw new ArgumentOutOfRangeException(nameof(Owners), Owners, "At least one owner.");
        if (PhotoSize is < 32 or > 2048 || FaceBox < 16 || FaceBox > PhotoSize || VictimSize is < 16 or > 512)
            throw new ArgumentOutOfRangeException(nameof(PhotoSize), "Sizes must satisfy 16 <= face box <= photo size <= 2048 and 16 <= victim size <= 512.");
        if (!ProtectionOptions.IsValidEpsilon(Epsilon))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, ProtectionOptions.EpsilonRangeMessage(nameof(Epsilon)));
        if (VictimSeeds is < 1 or > 20)
            throw new ArgumentOutOfRangeException(nameof(VictimSeeds), VictimSeeds, "Victim seeds must be between 1 and 20.");
        if (FirstVictim < 1 || FirstVictim + VictimSeeds - 1 > 20)
            throw new ArgumentOutOfRangeException(nameof(FirstVictim), FirstVictim, "The first victim must be at least 1, and the last one trained at most the 20th.");
        if (Rows.Count == 0 || (Architectures.Count == 0 && !LinearProbe))
            throw new ArgumentException("Give at least one row and one victim.");
        if (Rows.Any(r => !r.IsClean) && ModelVersion is null)
            throw new ArgumentException("Rows other than clean and clean-averaging need a model.");
        Recipe.Validate();
    }
}
