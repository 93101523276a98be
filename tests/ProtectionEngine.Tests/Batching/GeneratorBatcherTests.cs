using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Tests.Support;
using static TorchSharp.torch;

using UploadGuard.Tests.Common;

namespace UploadGuard.ProtectionEngine.Tests.Batching;

public sealed class GeneratorBatcherTests
{
    [Fact]
    public async Task Sixty_four_concurrent_calls_all_complete_in_shared_batches()
    {
        var sizes = new ConcurrentBag<int>();
        const string version = "test-batching-64";
        using var listener = ListenToBatchSizes(version, sizes);
        await using var engine = TestEngine.Small(
            batching: new BatchingOptions { MaxBatchSize = 8, MaxWait = TimeSpan.FromMilliseconds(20), QueueCapacity = 64 }, version: version);
        var inputs = Enumerable.Range(0, 64).Select(i => TestImages.EncodedPhoto(24 + i % 7, 20 + i % 5, ImageFormatKind.Png, seed: i)).ToArray();

        var results = await Task.WhenAll(inputs.Select(input => Task.Run(() =>
            engine.Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions()))));

        Assert.Equal(64, results.Length);
        Assert.All(results, r => Assert.InRange(r.Report.LinfDecoded, 0, 8));
        Assert.Equal(64, sizes.Sum());
        Assert.All(sizes, s => Assert.InRange(s, 1, 8));
        Assert.Contains(sizes, s => s > 1);
    }

    [Fact]
    public async Task Batched_and_unbatched_results_agree()
    {
        await using var engine = TestEngine.Small(batching: new BatchingOptions { MaxBatchSize = 8, MaxWait = TimeSpan.FromMilliseconds(50) });
        var input = TestImages.EncodedPhoto(40, 30, ImageFormatKind.Png, seed: 3);
        var alone = await engine.Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions());
        var together = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            engine.Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions())));

        using var expected = TestImages.Decode(alone.Data);
        foreach (var r in together)
        {
            using var actual = TestImages.Decode(r.Data);
            // Batched convolutions may differ in the last float bits; after rounding at most one level.
            Assert.InRange(PixelDifference.MaxAbs(expected, actual), 0, 1);
        }
    }

    [Fact]
    public async Task Full_queue_refuses_at_once_with_a_typed_exception()
    {
        var registry = TestEngine.SmallRegistry();
        using var models = new ActiveModel(registry.LoadActive(CPU));
        await using var batcher = new GeneratorBatcher(new BatchingOptions { MaxBatchSize = 1, QueueCapacity = 2, MaxWait = TimeSpan.Zero });
        using var lease = models.Acquire();
        var canvas = new float[3 * 32 * 32];

        var accepted = new List<Task<float[]>>();
        EngineOverloadedException? refused = null;
        for (int i = 0; i < 200 && refused is null; i++)
        {
            try { accepted.Add(batcher.GenerateAsync(lease, canvas)); }
            catch (EngineOverloadedException ex) { refused = ex; }
        }

        Assert.NotNull(refused);
        Assert.Equal(2, refused.QueueCapacity);
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
        await Task.WhenAll(accepted);   // everything accepted is still served
    }

    [Fact]
    public async Task Cancelled_request_is_dropped_and_the_rest_are_served()
    {
        var registry = TestEngine.SmallRegistry();
        using var models = new ActiveModel(registry.LoadActive(CPU));
        await using var batcher = new GeneratorBatcher(new BatchingOptions { MaxBatchSize = 4, MaxWait = TimeSpan.FromMilliseconds(200) });
        using var lease = models.Acquire();
        using var cancel = new CancellationTokenSource();

        var cancelled = batcher.GenerateAsync(lease, new float[3 * 32 * 32], cancellationToken: cancel.Token);
        var kept = batcher.GenerateAsync(lease, new float[3 * 32 * 32]);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(3 * 32 * 32, (await kept).Length);
    }

    [Fact]
    public async Task Wrong_canvas_size_is_an_argument_error()
    {
        var registry = TestEngine.SmallRegistry();
        using var models = new ActiveModel(registry.LoadActive(CPU));
        await using var batcher = new GeneratorBatcher(new BatchingOptions());
        using var lease = models.Acquire();
        Assert.Throws<ArgumentException>(() => { _ = batcher.GenerateAsync(lease, new float[10]); });
    }

    /// <summary>Batch sizes recorded for one model version (other tests run their own engines in parallel).</summary>
    private static MeterListener ListenToBatchSizes(string version, ConcurrentBag<int> sizes)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName && instrument.Name == "uploadguard.engine.batch.size")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "model.version" && (string?)tag.Value == version)
                    sizes.Add(value);
            }
        });
        listener.Start();
        return listener;
    }
}
