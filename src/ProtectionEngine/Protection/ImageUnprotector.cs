using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>
/// Authorised removal: decode a photo protected by an owner-keyed model, find and take off the texture of one of the
/// owner's keys (<see cref="PerturbationRemover"/>), encode it again. Refuses, and returns nothing, when no candidate
/// key's texture is in the photo: the wrong owner or secret unprotects nothing.
/// </summary>
public sealed class ImageUnprotector(ImageCodec codec, ActiveModel models)
{
    /// <exception cref="InvalidOperationException">The model is not owner-keyed.</exception>
    /// <exception cref="OwnerTextureNotFoundException">No candidate key's texture is in the photo.</exception>
    /// <exception cref="ImageRejectedException">The photo cannot be decoded within the caps.</exception>
    public UnprotectResult Unprotect(ReadOnlyMemory<byte> encoded, IReadOnlyList<OwnerKey> candidates, int? epsilon, OutputFormat format,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var options = new ProtectionOptions { Epsilon = epsilon, Format = format };
        options.Validate();
        using var lease = models.Acquire();
        var card = lease.Model.Card;
        int budget = options.EpsilonFor(card);
        if (lease.Model.Generator is not OwnerTextureGenerator keyed)
            throw new InvalidOperationException($"Model {card.Version} is not owner-keyed ({card.Architecture.Name}); its perturbation cannot be removed with a key.");
        using var decoded = codec.Decode(encoded, cancellationToken);
        var match = PerturbationRemover.Remove(decoded.Pixels, keyed, card.WorkingSize, budget, decoded.Source.IsGrayscale, candidates);
        if (!match.Found)
            throw new OwnerTextureNotFoundException(card.Version, match.Correlation, match.WeakestGrating);
        var target = ImageCodec.ResolveOutputFormat(decoded.Source, format);
        return new UnprotectResult(codec.Encode(decoded.Pixels, decoded.Source, target), target, card.Version, match.Key!.KeyId, match.Correlation);
    }
}
