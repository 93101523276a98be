using System.Diagnostics.Metrics;

namespace UploadGuard.ProtectionEngine.Batching;

/// <summary>The engine's instruments, published under the <see cref="MeterName"/> meter for OpenTelemetry.</summary>
public static class EngineMetrics
{
    public const string MeterName = "UploadGuard.ProtectionEngine";

    private static readonly Meter Meter = new(MeterName);

    // Explicit buckets: the exporter's defaults (0, 5, 10, 25, ... meant for milliseconds) would put every batch of up
    // to 8 images and every generator pass in one or two buckets; these show each batch size and pass time apart.
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "uploadguard.engine.batch.size", "{image}", "Images per generator pass.", tags: null,
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 24, 32, 48, 64] });

    public static readonly Histogram<double> GeneratorDuration = Meter.CreateHistogram<double>(
        "uploadguard.engine.generator.duration", "s", "Wall time of one generator pass.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "uploadguard.engine.queue.rejected", "{image}", "Images refused because the queue was full.");

    public static readonly UpDownCounter<int> QueueDepth = Meter.CreateUpDownCounter<int>(
        "uploadguard.engine.queue.depth", "{image}", "Images waiting for the generator.");
}
