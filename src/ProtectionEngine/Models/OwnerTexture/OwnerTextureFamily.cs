namespace UploadGuard.ProtectionEngine.Models.OwnerTexture;

/// <summary>The owner-keyed texture generators (<see cref="OwnerTextureGenerator"/>), one family per atom layout.</summary>
public sealed class OwnerTextureFamily : GeneratorFamily
{
    public static OwnerTextureFamily Colour { get; } = new("owner-texture-v1", "owner-texture", AtomLayout.Colour);

    public static OwnerTextureFamily Luminance { get; } = new("owner-texture-luma-v1", "owner-texture-luma", AtomLayout.Luminance);

    public static OwnerTextureFamily ChromaAndLuminance { get; } = new("owner-texture-dual-v1", "owner-texture-dual", AtomLayout.ChromaAndLuminance);

    private OwnerTextureFamily(string name, string trainingName, AtomLayout layout)
    {
        Name = name;
        TrainingName = trainingName;
        Layout = layout;
        Architecture = new GeneratorArchitecture(name, 0, 0);
    }

    public override string Name { get; }

    public override string TrainingName { get; }

    public AtomLayout Layout { get; }

    public override bool IsOwnerKeyed => true;

    public override GeneratorArchitecture Architecture { get; }

    public override GeneratorModule Create(GeneratorArchitecture architecture) => new OwnerTextureGenerator(this);
}
