using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Models.ResNetGenerator;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// Every generator family the engine can build, looked up by the name a model card records or the short name training
/// takes. Registering a family here is all it takes for the registry to load it and, when it has a training name, for
/// <c>uploadguard train</c> and the admin retraining to offer it.
/// </summary>
public static class GeneratorCatalog
{
    public static IReadOnlyList<GeneratorFamily> Families { get; } =
    [
        OwnerTextureFamily.Colour,
        OwnerTextureFamily.Luminance,
        OwnerTextureFamily.ChromaAndLuminance,
        OwnerTextureFamily.LowPass,
        OwnerTextureFamily.Sparse,
        OwnerTextureFamily.SparseLowPass,
        OwnerTextureFamily.TwoGratings,
        OwnerTextureFamily.TwoCoarseGratings,
        OwnerTextureFamily.TwoWideGratings,
        OwnerTextureFamily.TwoCoarseGratings64,
        ResNetGeneratorFamily.Instance,
    ];

    private static readonly Dictionary<string, GeneratorFamily> ByName = Families.ToDictionary(f => f.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, GeneratorFamily> ByTrainingName = Families
        .Where(f => f.TrainingName is not null)
        .ToDictionary(f => f.TrainingName!, StringComparer.Ordinal);

    /// <summary>The short names training takes, in the catalog's order (the default is <c>GeneratorTrainingOptions</c>'s).</summary>
    public static IReadOnlyList<string> TrainingNames { get; } = [.. Families.Select(f => f.TrainingName).OfType<string>()];

    /// <summary>The family a model card's architecture name stands for; null when the engine knows no such family.</summary>
    public static GeneratorFamily? Find(string? name) => name is not null && ByName.TryGetValue(name, out var family) ? family : null;

    /// <summary>The family a short name of <see cref="TrainingNames"/> stands for.</summary>
    public static GeneratorFamily FromTrainingName(string name) =>
        ByTrainingName.TryGetValue(name, out var family)
            ? family
            : throw new ArgumentException($"Unknown architecture '{name}'; use {string.Join(", ", TrainingNames)}.", nameof(name));
}
