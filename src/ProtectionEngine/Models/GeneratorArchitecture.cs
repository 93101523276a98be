using System.Text.Json.Serialization;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>The shape of a <see cref="GeneratorModule"/>, as recorded in a model card.</summary>
/// <param name="Name">Architecture family: <see cref="ResNetGenerator"/> (the untrained placeholder), <see cref="OwnerTexture"/>, <see cref="OwnerTextureLuminance"/> or <see cref="OwnerTextureDual"/>.</param>
/// <param name="BaseChannels">Channels at full working resolution; doubled at each of the two downsamplings (0 for the others).</param>
/// <param name="ResidualBlocks">Residual blocks at quarter resolution (0 for the others).</param>
public sealed record GeneratorArchitecture(string Name, int BaseChannels, int ResidualBlocks)
{
    public const string ResNetGenerator = "resnet-generator-v1";

    /// <summary><see cref="OwnerTextureGenerator"/>: a texture chosen by the owner's key, tiled over the photo at a per-photo offset.</summary>
    public const string OwnerTexture = "owner-texture-v1";

    /// <summary>The same with luminance atoms: one texture in all three channels, so that greying the photo keeps it whole and JPEG's chroma subsampling takes none of it.</summary>
    public const string OwnerTextureLuminance = "owner-texture-luma-v1";

    /// <summary>
    /// Atoms with a colour part and a luminance part, each of unit RMS, mixed at equal power: the colour part is what a
    /// victim learns at once in colour, the luminance part what greying and JPEG's chroma subsampling leave.
    /// </summary>
    public const string OwnerTextureDual = "owner-texture-dual-v1";

    /// <summary>Whether the perturbation comes from the owner's key (so protecting needs an owner, and removal is possible).</summary>
    [JsonIgnore]
    public bool IsOwnerKeyed => Name is OwnerTexture or OwnerTextureLuminance or OwnerTextureDual;

    /// <summary>Whether the engine can build this architecture at all.</summary>
    [JsonIgnore]
    public bool IsKnown => Name is ResNetGenerator || IsOwnerKeyed;

    /// <summary>
    /// The untrained placeholder's architecture: a photo-to-perturbation network of about 0.35 M parameters (64 channels
    /// at quarter resolution). No fitted model of it protected anything, and it is no longer trained.
    /// </summary>
    public static GeneratorArchitecture Default { get; } = new(ResNetGenerator, 16, 4);

    /// <summary>The short names <c>uploadguard train --architecture</c> and the admin retraining endpoint take.</summary>
    public static IReadOnlyList<string> TrainableNames { get; } = ["owner-texture", "owner-texture-luma", "owner-texture-dual"];

    /// <summary>The architecture a short name of <see cref="TrainableNames"/> stands for.</summary>
    public static GeneratorArchitecture FromTrainableName(string name) => name switch
    {
        "owner-texture" => OwnerTextureGenerator.Texture,
        "owner-texture-luma" => OwnerTextureGenerator.LuminanceTexture,
        "owner-texture-dual" => OwnerTextureGenerator.DualTexture,
        _ => throw new ArgumentException($"Unknown architecture '{name}'; use {string.Join(", ", TrainableNames)}.", nameof(name)),
    };

    /// <summary>Working sizes must be a multiple of this, so the two stride-2 stages round-trip exactly.</summary>
    public const int SizeMultiple = 4;
}
