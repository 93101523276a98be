namespace UploadGuard.ProtectionEngine.Models.ResNetGenerator;

/// <summary>
/// The photo-to-perturbation network (<see cref="PerturbationGenerator"/>) of the untrained placeholder. No fitted model
/// of it protected anything, so it is loaded but no longer trained.
/// </summary>
public sealed class ResNetGeneratorFamily : GeneratorFamily
{
    public static ResNetGeneratorFamily Instance { get; } = new();

    private ResNetGeneratorFamily()
    {
    }

    private const string FamilyName = "resnet-generator-v1";

    public override string Name => FamilyName;

    public override bool IsOwnerKeyed => false;

    /// <summary>About 0.35 M parameters: 16 channels at full resolution, 64 at quarter resolution, 4 residual blocks.</summary>
    public override GeneratorArchitecture Architecture { get; } = new(FamilyName, 16, 4);

    public override GeneratorModule Create(GeneratorArchitecture architecture) => new PerturbationGenerator(architecture);
}
