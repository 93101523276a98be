using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.ProtectionEngine.Hosting;

/// <summary>The engine's parts wired together: registry, active model, batcher and protector, owned as one.</summary>
public sealed class ProtectionEngineHost : IAsyncDisposable
{
    private ProtectionEngineHost(ModelRegistry registry, ActiveModel models, GeneratorBatcher batcher, ImageProtector protector)
    {
        Registry = registry;
        Models = models;
        Batcher = batcher;
        Protector = protector;
    }

    public ModelRegistry Registry { get; }

    public ActiveModel Models { get; }

    public GeneratorBatcher Batcher { get; }

    public ImageProtector Protector { get; }

    /// <summary>Authorised removal with the same codec and model as <see cref="Protector"/>.</summary>
    public ImageUnprotector Unprotector => new(Protector.Codec, Models);

    /// <summary>Loads (and verifies) the configured or active model and starts the batching worker.</summary>
    public static ProtectionEngineHost Create(EngineOptions engine, ImagingOptions imaging, BatchingOptions batching)
    {
        var registry = new ModelRegistry(engine.ModelsPath);
        var device = ComputeDevice.Select(engine.Device);
        var model = engine.ModelVersion is { Length: > 0 } version ? registry.Load(version, device) : registry.LoadActive(device);
        var models = new ActiveModel(model);
        var batcher = new GeneratorBatcher(batching);
        return new ProtectionEngineHost(registry, models, batcher, new ImageProtector(new ImageCodec(imaging), batcher, models));
    }

    public async ValueTask DisposeAsync()
    {
        await Batcher.DisposeAsync().ConfigureAwait(false);
        Models.Dispose();
    }
}
