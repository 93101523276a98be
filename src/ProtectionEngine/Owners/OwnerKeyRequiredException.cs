namespace UploadGuard.ProtectionEngine.Owners;

/// <summary>The active model is owner-keyed and the request named no owner: there is no key to draw the texture from.</summary>
public sealed class OwnerKeyRequiredException(string modelVersion)
    : InvalidOperationException($"Model {modelVersion} protects photos with their owner's key; the request names no owner.")
{
    public string ModelVersion { get; } = modelVersion;
}
