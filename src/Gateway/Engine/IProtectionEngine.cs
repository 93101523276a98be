using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Engine;

/// <summary>The engine as the gateway uses it; tests substitute a faulty one to inject engine failures.</summary>
public interface IProtectionEngine
{
    ModelCard ActiveCard { get; }

    Task<ProtectionResult> ProtectAsync(Stream input, ProtectionOptions options, IProgress<ProtectionProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Authorised removal with the active model (<see cref="ImageUnprotector.Unprotect"/>); CPU-bound, synchronous.</summary>
    UnprotectResult Unprotect(ReadOnlyMemory<byte> encoded, IReadOnlyList<OwnerKey> candidates, int? epsilon, OutputFormat format, CancellationToken cancellationToken);
}
