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
    public static OwnerTextureFamily LowPass { get; } = new("owner-texture-lowpass-v1", "owner-texture-lowpass", AtomLayout.Colour, lowPass: true);

    /// <summary>
    /// Colour atoms with every key's texture kept to its strongest few spatial frequencies
    /// (<see cref="OwnerTextureGenerator.SparseBins"/>): a handful of gratings instead of broadband noise, which victims
    /// learned far more readily at the same power (docs/evaluation.md, "What decides a draw").
    /// </summary>
    public static OwnerTextureFamily Sparse { get; } = new("owner-texture-sparse-v1", "owner-texture-sparse", AtomLayout.Colour, sparse: true);

    /// <summary>The sparse family's texture picked from within the low-pass band (<see cref="LowPass"/> then <see cref="Sparse"/>).</summary>
    public static OwnerTextureFamily SparseLowPass { get; } = new("owner-texture-sparse-lowpass-v1", "owner-texture-sparse-lowpass", AtomLayout.Colour, lowPass: true, sparse: true);

    private OwnerTextureFamily(string name, string trainingName, AtomLayout layout, bool lowPass = false, bool sparse = false)
    {
        Name = name;
        TrainingName = trainingName;
        Layout = layout;
        IsLowPass = lowPass;
        IsSparse = sparse;
        Architecture = new GeneratorArchitecture(name, 0, 0);
    }

    public override string Name { get; }

    public override string TrainingName { get; }

    public AtomLayout Layout { get; }

    /// <summary>Whether each key's texture is low-passed before its RMS is set (<see cref="LowPass"/>).</summary>
    public bool IsLowPass { get; }

    /// <summary>Whether each key's texture keeps only its strongest frequencies (<see cref="Sparse"/>).</summary>
    public bool IsSparse { get; }

    public override bool IsOwnerKeyed => true;

    public override GeneratorArchitecture Architecture { get; }

    public override GeneratorModule Create(GeneratorArchitecture architecture) => new OwnerTextureGenerator(this);
}
