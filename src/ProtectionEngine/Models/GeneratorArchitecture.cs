using System.Text.Json.Serialization;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>The shape of a <see cref="GeneratorModule"/>, as recorded in a model card.</summary>
/// <param name="Name">Architecture family: <see cref="ResNetGenerator"/>, <see cref="SurrogateHash"/>, <see cref="SurrogateHashSmooth"/>, <see cref="ConceptPoison"/>, <see cref="OwnerTexture"/> or <see cref="OwnerTextureLuminance"/>.</param>
/// <param name="BaseChannels">Channels at full working resolution; doubled at each of the two downsamplings (0 for the others).</param>
/// <param name="ResidualBlocks">Residual blocks at quarter resolution (0 for the others).</param>
public sealed record GeneratorArchitecture(string Name, int BaseChannels, int ResidualBlocks)
{
    public const string ResNetGenerator = "resnet-generator-v1";

    /// <summary><see cref="SurrogateHashGenerator"/>: the surrogate's features hashed into a coarse grid of signs, one flat block per cell.</summary>
    public const string SurrogateHash = "surrogate-hash-v1";

    /// <summary>The same code drawn smoothly: interpolated bilinearly between the cells' centres, with no edges between cells.</summary>
    public const string SurrogateHashSmooth = "surrogate-hash-smooth-v1";

    /// <summary><see cref="ConceptPoisonGenerator"/>: PGD on the canvas against a crafting network trained on the surrogate's concepts.</summary>
    public const string ConceptPoison = "concept-poison-v1";

    /// <summary><see cref="OwnerTextureGenerator"/>: a texture chosen by the owner's key, tiled over the photo at a per-photo offset.</summary>
    public const string OwnerTexture = "owner-texture-v1";

    /// <summary>The same with luminance atoms: one texture in all three channels, so that greying the photo keeps it whole and JPEG's chroma subsampling takes none of it.</summary>
    public const string OwnerTextureLuminance = "owner-texture-luma-v1";

    /// <summary>Whether the perturbation comes from the owner's key (so protecting needs an owner, and removal is possible).</summary>
    [JsonIgnore]
    public bool IsOwnerKeyed => Name is OwnerTexture or OwnerTextureLuminance;

    [JsonIgnore]
    public bool IsSurrogateHash => Name is SurrogateHash or SurrogateHashSmooth;

    /// <summary>Whether the engine can build this architecture at all.</summary>
    [JsonIgnore]
    public bool IsKnown => Name is ResNetGenerator or ConceptPoison || IsSurrogateHash || IsOwnerKeyed;

    /// <summary>The default shipped architecture: about 0.35 M parameters, 64 channels at quarter resolution.</summary>
    public static GeneratorArchitecture Default { get; } = new(ResNetGenerator, 16, 4);

    /// <summary>The short names <c>uploadguard train --architecture</c> and the admin retraining endpoint take.</summary>
    public static IReadOnlyList<string> TrainableNames { get; } = ["resnet", "surrogate-hash", "surrogate-hash-smooth", "concept-poison", "owner-texture", "owner-texture-luma"];

    /// <summary>The architecture a short name of <see cref="TrainableNames"/> stands for.</summary>
    public static GeneratorArchitecture FromTrainableName(string name) => name switch
    {
        "resnet" => Default,
        "surrogate-hash" => SurrogateHashGenerator.Blocks,
        "surrogate-hash-smooth" => SurrogateHashGenerator.Smooth,
        "concept-poison" => ConceptPoisonGenerator.Poison,
        "owner-texture" => OwnerTextureGenerator.Texture,
        "owner-texture-luma" => OwnerTextureGenerator.LuminanceTexture,
        _ => throw new ArgumentException($"Unknown architecture '{name}'; use {string.Join(", ", TrainableNames)}.", nameof(name)),
    };

    /// <summary>Working sizes must be a multiple of this, so the two stride-2 stages round-trip exactly.</summary>
    public const int SizeMultiple = 4;
}
