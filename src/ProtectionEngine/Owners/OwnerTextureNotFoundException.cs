using System.Globalization;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.ProtectionEngine.Owners;

/// <summary>None of the owner's keys finds its texture in the photo: another owner, another secret, another model, or an unprotected photo.</summary>
public sealed class OwnerTextureNotFoundException(string modelVersion, double correlation, double? weakestGrating = null)
    : InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
        $"The owner's texture of model {modelVersion} is not in this photo (best match {correlation:0.00}{Gratings(correlation, weakestGrating)}): another owner or secret, another model, or a photo that was not protected. Nothing was removed."))
{
    public double Correlation { get; } = correlation;

    /// <summary>The best match's weakest main grating (<see cref="TextureMatch.WeakestGrating"/>), where the texture is a few gratings and was judged by them.</summary>
    public double? WeakestGrating { get; } = weakestGrating;

    // A match above the whole-texture bar is refused only for a grating the photo does not carry: say so, or the
    // figure reads as a pass.
    private static string Gratings(double correlation, double? weakest) =>
        weakest is double w && correlation >= PerturbationRemover.MinimumCorrelation
            ? string.Create(CultureInfo.InvariantCulture, $", but one of its main gratings carries {w:0.00} of the texture's amplitude, under {PerturbationRemover.MinimumGratingShare:0.00}: a key that shares only part of the texture")
            : "";
}
