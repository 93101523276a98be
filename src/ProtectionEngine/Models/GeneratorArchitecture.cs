namespace UploadGuard.ProtectionEngine.Models;

/// <summary>The shape of a <see cref="PerturbationGenerator"/>, as recorded in a model card.</summary>
/// <param name="Name">Architecture family; only <see cref="ResNetGenerator"/> exists so far.</param>
/// <param name="BaseChannels">Channels at full working resolution; doubled at each of the two downsamplings.</param>
/// <param name="ResidualBlocks">Residual blocks at quarter resolution.</param>
public sealed record GeneratorArchitecture(string Name, int BaseChannels, int ResidualBlocks)
{
    public const string ResNetGenerator = "resnet-generator-v1";

    /// <summary>The default shipped architecture: about 0.35 M parameters, 64 channels at quarter resolution.</summary>
    public static GeneratorArchitecture Default { get; } = new(ResNetGenerator, 16, 4);

    /// <summary>Working sizes must be a multiple of this, so the two stride-2 stages round-trip exactly.</summary>
    public const int SizeMultiple = 4;
}
