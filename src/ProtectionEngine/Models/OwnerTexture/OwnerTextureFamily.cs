namespace UploadGuard.ProtectionEngine.Models.OwnerTexture;

/// <summary>The owner-keyed texture generators (<see cref="OwnerTextureGenerator"/>), one family per atom layout.</summary>
public sealed class OwnerTextureFamily : GeneratorFamily
{
    public static OwnerTextureFamily Colour { get; } = new("owner-texture-v1", "owner-texture", AtomLayout.Colour);

    public static OwnerTextureFamily Luminance { get; } = new("owner-texture-luma-v1", "owner-texture-luma", AtomLayout.Luminance);

    public static OwnerTextureFamily ChromaAndLuminance { get; } = new("owner-texture-dual-v1", "owner-texture-dual", AtomLayout.ChromaAndLuminance);

    /// <summary>
    /// Colour atoms with every key's texture kept to the spatial frequencies a photo's resizes pass
    /// (<see cref="OwnerTextureGenerator.LowPassRadius"/>), so that what the photo carries reaches the attacker's model.
    /// Alone it protected none of the owners 0.8.1's textures miss; it is half of <see cref="SparseLowPass"/>
    /// (docs/evaluation.md, "What decides a draw").
    /// </summary>
    public static OwnerTextureFamily LowPass { get; } = new("owner-texture-lowpass-v1", "owner-texture-lowpass", AtomLayout.Colour, lowPassRadius: OwnerTextureGenerator.LowPassRadius);

    /// <summary>
    /// Colour atoms with every key's texture kept to its strongest few spatial frequencies
    /// (<see cref="OwnerTextureGenerator.SparseBins"/>): a handful of gratings instead of broadband noise, which victims
    /// learned far more readily at the same power (docs/evaluation.md, "What decides a draw").
    /// </summary>
    public static OwnerTextureFamily Sparse { get; } = new("owner-texture-sparse-v1", "owner-texture-sparse", AtomLayout.Colour, sparseBins: OwnerTextureGenerator.SparseBins);

    /// <summary>The sparse family's texture picked from within the low-pass band (<see cref="LowPass"/> then <see cref="Sparse"/>).</summary>
    public static OwnerTextureFamily SparseLowPass { get; } = new(
        "owner-texture-sparse-lowpass-v1", "owner-texture-sparse-lowpass", AtomLayout.Colour, OwnerTextureGenerator.LowPassRadius, OwnerTextureGenerator.SparseBins);

    /// <summary>
    /// <see cref="SparseLowPass"/> with two gratings per key instead of four (4 bins): within 0.9.5, keys whose texture
    /// spread over fewer frequencies were protected more often (docs/evaluation.md, "`0.9.5-owner-texture-sparse-lowpass`").
    /// </summary>
    public static OwnerTextureFamily TwoGratings { get; } = new(
        "owner-texture-two-gratings-v1", "owner-texture-two-gratings", AtomLayout.Colour, OwnerTextureGenerator.LowPassRadius, sparseBins: 4);

    /// <summary>
    /// <see cref="TwoGratings"/> kept to at most 3 cycles per period: coarser gratings, which JPEG's chroma subsampling
    /// and quantisation at the attacker's scale leave more of.
    /// </summary>
    public static OwnerTextureFamily TwoCoarseGratings { get; } = new(
        "owner-texture-two-coarse-gratings-v1", "owner-texture-two-coarse-gratings", AtomLayout.Colour, lowPassRadius: 3, sparseBins: 4);

    /// <summary>
    /// <see cref="TwoCoarseGratings"/> kept to within √5 cycles per period (the ten gratings from (1,0) to (2,1)), made for
    /// a 32-px victim, which sees a 128-px face box shrunk fourfold: 3 cycles per period are about 0.38 cycles per victim
    /// pixel there, √5 under 0.28. That victim still read the owners; other rows improved (docs/evaluation.md, "Two wide
    /// gratings").
    /// </summary>
    public static OwnerTextureFamily TwoWideGratings { get; } = new(
        "owner-texture-two-wide-gratings-v1", "owner-texture-two-wide-gratings", AtomLayout.Colour, lowPassRadius: 2.25, sparseBins: 4);

    /// <summary>
    /// <see cref="TwoCoarseGratings"/> with 64 atoms instead of 32, so that two owners' keys share an atom about half as
    /// often (1 pair in 16 instead of 1 in 8): owners who share one were missed more often (20 against 12 %)
    /// (docs/evaluation.md, "Owners who share an atom"). Measured worse than 32 atoms: whole draws of owners came back
    /// (docs/evaluation.md, "64 atoms").
    /// </summary>
    public static OwnerTextureFamily TwoCoarseGratings64 { get; } = new(
        "owner-texture-two-coarse-gratings-64-v1", "owner-texture-two-coarse-gratings-64", AtomLayout.Colour, lowPassRadius: 3, sparseBins: 4, atoms: 64);

    private OwnerTextureFamily(string name, string trainingName, AtomLayout layout, double? lowPassRadius = null, int? sparseBins = null,
        int atoms = OwnerTextureGenerator.DefaultAtoms)
    {
        Name = name;
        TrainingName = trainingName;
        Layout = layout;
        LowPassRadius = lowPassRadius;
        SparseBins = sparseBins;
        Atoms = atoms;
        Architecture = new GeneratorArchitecture(name, 0, 0);
    }

    public override string Name { get; }

    public override string TrainingName { get; }

    public AtomLayout Layout { get; }

    /// <summary>The most cycles per period each key's texture keeps, before its RMS is set (<see cref="LowPass"/>); null keeps all.</summary>
    public double? LowPassRadius { get; }

    /// <summary>How many of its strongest DFT bins each key's tile keeps (<see cref="Sparse"/>); null keeps all.</summary>
    public int? SparseBins { get; }

    /// <summary>How many texture atoms an owner's key picks <see cref="OwnerTextureGenerator.AtomsPerKey"/> from.</summary>
    public int Atoms { get; }

    public override bool IsOwnerKeyed => true;

    public override GeneratorArchitecture Architecture { get; }

    public override GeneratorModule Create(GeneratorArchitecture architecture) => new OwnerTextureGenerator(this);
}
