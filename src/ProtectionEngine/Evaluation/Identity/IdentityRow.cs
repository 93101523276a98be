namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>A training set of the identity benchmark: what the attacker's scraped photos of the owners look like.</summary>
public enum IdentityRow
{
    /// <summary>Nobody's photos protected: the reference.</summary>
    Clean,

    /// <summary>Every training photo of every owner protected with the owner's key.</summary>
    Protected,

    /// <summary>Three of four of each owner's training photos protected (the rest posted elsewhere, unprotected).</summary>
    Coverage75,

    /// <summary>Half of each owner's training photos protected.</summary>
    Coverage50,

    /// <summary>Protected, then re-encoded by the attacker as JPEG quality 75 at the victim's size.</summary>
    Jpeg75,

    /// <summary>Protected, then halved and scaled back at the victim's size.</summary>
    Downscale,

    /// <summary>Protected, then grey.</summary>
    Grayscale,

    /// <summary>The clean photos re-encoded as JPEG 75: what <see cref="Jpeg75"/> costs the attacker on its own.</summary>
    CleanJpeg75,

    /// <summary>The clean photos halved and scaled back: the reference for <see cref="Downscale"/>.</summary>
    CleanDownscale,

    /// <summary>The clean photos grey: the reference for <see cref="Grayscale"/>.</summary>
    CleanGrayscale,

    /// <summary>
    /// Protected, then the attacker's estimate of each owner's pattern subtracted: the mean of the owner's photos minus
    /// the mean of everyone's, at full size, before cropping.
    /// </summary>
    Averaging,

    /// <summary>The averaging attack applied to the clean photos: what it costs the attacker on its own.</summary>
    CleanAveraging,

    /// <summary>Protected, then unprotected by the key holder (<see cref="Protection.PerturbationRemover"/>).</summary>
    Removed,
}
