namespace UploadGuard.ProtectionEngine.Models.OwnerTexture;

/// <summary>The owner-keyed texture generators (<see cref="OwnerTextureGenerator"/>), one family per atom layout.</summary>
public sealed class OwnerTextureFamily : GeneratorFamily
{
    public static OwnerTextureFamily Colour { get; } = new("owner-texture-v1", "owner-texture", AtomLayout.Colour);

    public static OwnerTextureFamily Luminance { get; } = new("owner-texture-luma-v1", "owner-texture-luma", AtomLayout.Luminance);

    public static OwnerTextureFamily ChromaAndLuminance { get; } = new("owner-texture-dual-v1", "owner-texture-dual", AtomLayout.ChromaAndLuminance);

    /// <summary>
    /// Colour atoms with every key's texture kept to the spatial frequencies a photo's resizes pass
    /// (<see cref="OwnerTextureGenerator.LowPassRadius"/>): the same power on the photo reaches the attacker's model
    /// whatever the key (docs/evaluation.md, "what decides a draw").
    /// </summary>
    public static OwnerTextureFamily LowPass { get; } = new("owner-texture-lowpass-v1", "owner-texture-lowpass", AtomLayout.Colour, lowPass: true);

    /// <summary>
    /// Colour atoms with every key's texture made the same under a left-right mirror (after the key's orientation):
    /// an attacker's random horizontal flips then show the victim one texture per owner, not two.
    /// </summary>
    public static OwnerTextureFamily Mirror { get; } = new("owner-texture-mirror-v1", "owner-texture-mirror", AtomLayout.Colour, mirror: true);

    /// <summary>
    /// Colour atoms with every key's texture kept to chroma (each pixel's mean over the channels taken away): faces vary
    /// far less in colour than in brightness at a texture's scale, so the same power stands out more.
    /// </summary>
    public static OwnerTextureFamily Chroma { get; } = new("owner-texture-chroma-v1", "owner-texture-chroma", AtomLayout.Colour, chroma: true);

    /// <summary>
    /// Colour atoms with every key's texture kept to its strongest few spatial frequencies (<see cref="OwnerTextureGenerator.SparseBins"/>):
    /// a handful of gratings instead of broadband noise.
    /// </summary>
    public static OwnerTextureFamily Sparse { get; } = new("owner-texture-sparse-v1", "owner-texture-sparse", AtomLayout.Colour, sparse: true);

    /// <summary>The sparse family's texture picked from within the low-pass band (<see cref="LowPass"/> then <see cref="Sparse"/>).</summary>
    public static OwnerTextureFamily SparseLowPass { get; } = new("owner-texture-sparse-lowpass-v1", "owner-texture-sparse-lowpass", AtomLayout.Colour, lowPass: true, sparse: true);

    private OwnerTextureFamily(string name, string trainingName, AtomLayout layout, bool lowPass = false, bool mirror = false, bool chroma = false, bool sparse = false)
    {
        IsSparse = sparse;
        IsChroma = chroma;
        IsMirrored = mirror;
        Name = name;
        TrainingName = trainingName;
        Layout = layout;
        IsLowPass = lowPass;
        Architecture = new GeneratorArchitecture(name, 0, 0);
    }

    public override string Name { get; }

    public override string TrainingName { get; }

    public AtomLayout Layout { get; }

    /// <summary>Whether each key's texture is low-passed before its RMS is set (<see cref="LowPass"/>).</summary>
    public bool IsLowPass { get; }

    /// <summary>Whether each key's texture is symmetric under a left-right mirror (<see cref="Mirror"/>).</summary>
    public bool IsMirrored { get; }

    /// <summary>Whether each key's texture is chroma only (<see cref="Chroma"/>).</summary>
    public bool IsChroma { get; }

    /// <summary>Whether each key's texture keeps only its strongest frequencies (<see cref="Sparse"/>).</summary>
    public bool IsSparse { get; }

    public override bool IsOwnerKeyed => true;

    public override GeneratorArchitecture Architecture { get; }

    public override GeneratorModule Create(GeneratorArchitecture architecture) => new OwnerTextureGenerator(this);
}
