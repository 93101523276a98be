namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// What the active model's card claims for an image perturbed at a given epsilon: kept apart from whether the image was
/// perturbed within its budget, so that no status reads "protected" where the card claims nothing.
/// </summary>
public enum ClaimStatus
{
    /// <summary>The card claims no protection (an untrained placeholder, or a model whose measurements found none).</summary>
    NoneClaimed,

    /// <summary>The card's measured claim applies: the budget used is at least the one it was measured at.</summary>
    Measured,

    /// <summary>The card has a measured claim, but at a larger epsilon than the one used: nothing is claimed here.</summary>
    BelowMeasuredEpsilon,
}
