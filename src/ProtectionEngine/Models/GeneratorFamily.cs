namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// One kind of generator the engine can build: the name model cards record, whether it is keyed by the photo's owner,
/// and how to build its module from a card. Families are found by name in <see cref="GeneratorCatalog"/>.
/// </summary>
public abstract class GeneratorFamily
{
    /// <summary>The architecture name in model cards, e.g. <c>owner-texture-v1</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The short name <c>uploadguard train --architecture</c> and the admin retraining take; null when it is no longer trained.</summary>
    public virtual string? TrainingName => null;

    /// <summary>Whether the perturbation comes from the owner's key (so protecting needs an owner, and removal is possible).</summary>
    public abstract bool IsOwnerKeyed { get; }

    /// <summary>The shape a new model of this family takes.</summary>
    public abstract GeneratorArchitecture Architecture { get; }

    /// <summary>A module of <paramref name="architecture"/> (a card's, which names this family), before its weights are imported.</summary>
    public abstract GeneratorModule Create(GeneratorArchitecture architecture);
}
