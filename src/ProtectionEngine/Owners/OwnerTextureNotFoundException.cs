using System.Globalization;

namespace UploadGuard.ProtectionEngine.Owners;

/// <summary>None of the owner's keys finds its texture in the photo: another owner, another secret, another model, or an unprotected photo.</summary>
public sealed class OwnerTextureNotFoundException(string modelVersion, double correlation)
    : InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
        $"The owner's texture of model {modelVersion} is not in this photo (best match {correlation:0.00}): another owner or secret, another model, or a photo that was not protected. Nothing was removed."))
{
    public double Correlation { get; } = correlation;
}
