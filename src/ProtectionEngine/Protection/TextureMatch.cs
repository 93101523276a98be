using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>Where an owner's texture was found in a photo (<see cref="PerturbationRemover"/>).</summary>
/// <param name="Key">The candidate key that matched best.</param>
/// <param name="Correlation">Normalised correlation of the photo's folded detail with that key's tile at the offset, -1..1.</param>
/// <param name="ShiftY">Offset of the texture, in canvas pixels.</param>
/// <param name="ShiftX">Offset of the texture, in canvas pixels.</param>
/// <param name="WeakestGrating">
/// For a texture of a few gratings (<see cref="Models.OwnerTexture.OwnerTextureGenerator.SparseBinCount"/>), the lowest
/// amplitude of any one of the key's gratings at the offset relative to the whole texture's (about 1 when the texture
/// is there whole, about 0 for a grating the photo does not carry); null for a full-band texture, and for a match below
/// <see cref="PerturbationRemover.MinimumCorrelation"/>, which is not found either way.
/// </param>
public sealed record TextureMatch(OwnerKey? Key, double Correlation, int ShiftY, int ShiftX, double? WeakestGrating = null)
{
    /// <summary>Whether the match is strong enough to say the photo carries the key's texture: all of it, grating by grating.</summary>
    public bool Found => Key is not null && Correlation >= PerturbationRemover.MinimumCorrelation
        && (WeakestGrating is not double weakest || weakest >= PerturbationRemover.MinimumGratingShare);
}
