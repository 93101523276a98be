using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.ProtectionEngine.Tests.Support;

/// <summary>One small-model engine shared by a test class.</summary>
public sealed class SmallEngineFixture : IAsyncLifetime
{
    public ProtectionEngineHost Engine { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Engine = TestEngine.Small(new ImagingOptions { MaxPixels = 4_000_000, MaxWidth = 10_000, MaxHeight = 10_000 },
            new BatchingOptions { MaxBatchSize = 8, QueueCapacity = 256 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Engine.DisposeAsync();
}
