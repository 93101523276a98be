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

    private OwnerTextureFamily(string name, string trainingName, AtomLayout layout, bool lowPass = false, bool mirror = false)
    {
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

    public override bool IsOwnerKeyed => true;

    public override GeneratorArchitecture Architecture { get; }

    public override GeneratorModule Create(GeneratorArchitecture architecture) => new OwnerTextureGenerator(this);
}
