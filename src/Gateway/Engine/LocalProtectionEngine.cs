using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Engine;

/// <summary>The in-process engine: TorchSharp generator, dynamic batching, ImageSharp codecs.</summary>
public sealed class LocalProtectionEngine(EngineState state) : IProtectionEngine
{
    public ModelCard ActiveCard => state.Host.Models.Card;

    public Task<ProtectionResult> ProtectAsync(Stream input, ProtectionOptions options, IProgress<ProtectionProgress>? progress, CancellationToken cancellationToken) =>
        state.Host.Protector.ProtectAsync(input, options, progress, cancellationToken);

    public UnprotectResult Unprotect(ReadOnlyMemory<byte> encoded, IReadOnlyList<OwnerKey> candidates, int? epsilon, OutputFormat format, CancellationToken cancellationToken) =>
        state.Host.Unprotector.Unprotect(encoded, candidates, epsilon, format, cancellationToken);
}
