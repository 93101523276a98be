using UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>The identity benchmark's rows there are, by name.</summary>
public static class IdentityRows
{
    /// <summary>Nobody's photos protected: the reference.</summary>
    public static IdentityRow Clean { get; } = new("clean", 0);

    /// <summary>
    /// The clean photos without the owners': what the other people get from a victim that learns nothing from the
    /// owners' photos, the reference for what perfect protection would cost them (the owners' photos also teach a victim
    /// about faces in general, which no protection that works can leave it).
    /// </summary>
    public static IdentityRow CleanWithoutOwners { get; } = new("clean-without-owners", 0);

    /// <summary>Every training photo of every owner protected with the owner's key.</summary>
    public static IdentityRow Protected { get; } = new("protected", 1);

    /// <summary>Three of four of each owner's training photos protected (the rest posted elsewhere, unprotected).</summary>
    public static IdentityRow Coverage75 { get; } = new("coverage-75", 0.75);

    /// <summary>Half of each owner's training photos protected.</summary>
    public static IdentityRow Coverage50 { get; } = new("coverage-50", 0.5);

    /// <summary>
    /// Protected, then the attacker's estimate of each owner's pattern subtracted: the mean of the owner's photos minus
    /// the mean of everyone's, at full size, before cropping.
    /// </summary>
    public static IdentityRow Averaging { get; } = new("averaging", 1);

    /// <summary>The averaging attack applied to the clean photos: what it costs the attacker on its own.</summary>
    public static IdentityRow CleanAveraging { get; } = new("clean-averaging", 0);

    /// <summary>Protected, then unprotected by the key holder (<see cref="Protection.PerturbationRemover"/>).</summary>
    public static IdentityRow Removed { get; } = new("removed", 1);

    /// <summary>The rows, each countermeasure's on the protected photos and on the clean ones among them.</summary>
    public static IReadOnlyList<IdentityRow> All { get; } =
    [
        Clean, CleanWithoutOwners, Protected, Coverage75, Coverage50,
        .. CountermeasureCatalog.All.Select(c => new IdentityRow(c.Name, 1, c)),
        .. CountermeasureCatalog.All.Select(c => new IdentityRow($"clean-{c.Name}", 0, c)),
        Averaging, CleanAveraging, Removed,
    ];

    public static IdentityRow Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        return All.FirstOrDefault(r => r.Name == key)
            ?? throw new ArgumentException($"Unknown identity row '{name}'; use {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));
    }
}
