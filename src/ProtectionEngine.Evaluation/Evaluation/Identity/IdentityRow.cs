using UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>A training set of the identity benchmark: what the attacker's scraped photos of the owners look like.</summary>
/// <param name="Name">On the command line and in tables.</param>
/// <param name="Coverage">The share of each owner's training photos that are protected in it (0: a reference, which needs no model).</param>
/// <param name="Countermeasure">The attacker's transformation at the victim's size, if any.</param>
public sealed record IdentityRow(string Name, double Coverage, Countermeasure? Countermeasure = null)
{
    /// <summary>Whether the row protects nothing (a reference): it needs no model.</summary>
    public bool IsClean => Coverage == 0;
}
