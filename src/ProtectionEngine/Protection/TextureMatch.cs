using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>Where an owner's texture was found in a photo (<see cref="PerturbationRemover"/>).</summary>
/// <param name="Key">The candidate key that matched best.</param>
/// <param name="Correlation">Normalised correlation of the photo's folded detail with that key's tile at the offset, -1..1.</param>
/// <param name="ShiftY">Offset of the texture, in canvas pixels.</param>
/// <param name="ShiftX">Offset of the texture, in canvas pixels.</param>
public sealed record TextureMatch(OwnerKey? Key, double Correlation, int ShiftY, int ShiftX)
{
    /// <summary>Whether the match is strong enough to say the photo carries the key's texture.</summary>
    public bool Found => Key is not null && Correlation >= PerturbationRemover.MinimumCorrelation;
}
