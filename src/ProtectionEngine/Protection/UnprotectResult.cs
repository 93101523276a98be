using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>A photo with its owner's texture taken off.</summary>
/// <param name="KeyId">The id of the secret whose key matched.</param>
/// <param name="Correlation">How strongly the texture matched (<see cref="TextureMatch.Correlation"/>).</param>
public sealed record UnprotectResult(byte[] Data, ImageFormatKind OutputFormat, string ModelVersion, string KeyId, double Correlation);
