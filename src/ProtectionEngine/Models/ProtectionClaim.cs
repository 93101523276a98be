namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// What a model card claims its perturbation does, as measured: the effect, the smallest budget it was measured at,
/// and the scope outside which nothing is claimed. A card without one claims no protection at all.
/// </summary>
public sealed record ProtectionClaim
{
    /// <summary>The smallest epsilon (8-bit levels) at which the effect was measured; below it nothing is claimed.</summary>
    public required int Epsilon { get; init; }

    /// <summary>The measured effect, with its figures and where they are written down.</summary>
    public required string Summary { get; init; }

    /// <summary>What the measurement covers, and what it does not.</summary>
    public required string Scope { get; init; }
}
