namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>Everything an identity benchmark invocation measured, with what it ran on.</summary>
public sealed record IdentityResult
{
    public required string DataSource { get; init; }

    public required IReadOnlyList<string> People { get; init; }

    public required IReadOnlyList<string> Owners { get; init; }

    public required int TrainImages { get; init; }

    public required int TestImages { get; init; }

    public required int PhotoSize { get; init; }

    public required int FaceBox { get; init; }

    public required int VictimSize { get; init; }

    public required int Epsilon { get; init; }

    public required int Seed { get; init; }

    /// <summary>The seed of the owner-key secret (the <see cref="Seed"/> unless set apart).</summary>
    public required int KeySeed { get; init; }

    public required VictimRecipe Recipe { get; init; }

    public string? ModelVersion { get; init; }

    public bool? ModelTrained { get; init; }

    public string? ModelWarning { get; init; }

    /// <summary>The owners' protected training photos against their clean ones, at the photo size.</summary>
    public ImageQualitySummary? ProtectedQuality { get; init; }

    /// <summary>
    /// Each owner's protected training photos against their clean ones (PSNR in dB): how much change each key put on
    /// its owner's photos, which decides much of whether the owner is protected (docs/evaluation.md, "what decides a draw").
    /// </summary>
    public IReadOnlyDictionary<string, double?>? OwnerPsnrDb { get; init; }

    /// <summary>
    /// The texture atoms each owner's key picks (owner-keyed models only; signs and orientation left out), to compare
    /// protected and unprotected owners by their keys (docs/evaluation.md, "over more owner draws").
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>>? OwnerAtoms { get; init; }

    /// <summary>Removal by the key holder: photos whose texture was found, and values restored within one level.</summary>
    public RemovalSummary? Removal { get; init; }

    public required IReadOnlyList<IdentityRun> Runs { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required string Machine { get; init; }
}
