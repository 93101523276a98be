using System.Text.Json.Serialization;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>The shape of a <see cref="GeneratorModule"/>, as recorded in a model card.</summary>
/// <param name="Name">The family's name in <see cref="GeneratorCatalog"/>, e.g. <c>owner-texture-v1</c>.</param>
/// <param name="BaseChannels">Channels at full working resolution, for families that have them (0 for the others).</param>
/// <param name="ResidualBlocks">Residual blocks at quarter resolution, for families that have them (0 for the others).</param>
public sealed record GeneratorArchitecture(string Name, int BaseChannels, int ResidualBlocks)
{
    /// <summary>The family this architecture belongs to; null when the engine knows none of that name.</summary>
    [JsonIgnore]
    public GeneratorFamily? Family => GeneratorCatalog.Find(Name);

    /// <summary>Whether the perturbation comes from the owner's key (so protecting needs an owner, and removal is possible).</summary>
    [JsonIgnore]
    public bool IsOwnerKeyed => Family?.IsOwnerKeyed == true;

    /// <summary>Whether the engine can build this architecture at all.</summary>
    [JsonIgnore]
    public bool IsKnown => Family is not null;

    /// <summary>Working sizes must be a multiple of this, so the two stride-2 stages round-trip exactly.</summary>
    public const int SizeMultiple = 4;
}
