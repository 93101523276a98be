using System.Diagnostics.Metrics;

namespace UploadGuard.ProtectionEngine.Batching;

/// <summary>The engine's instruments, published under the <see cref="MeterName"/> meter for OpenTelemetry.</summary>
public static class EngineMetrics
{
    public const string MeterName = "UploadGuard.ProtectionEngine";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "uploadguard.engine.batch.size", "{image}", "Images per generator pass.");

    public static readonly Histogram<double> GeneratorDuration = Meter.CreateHistogram<double>(
        "uploadguard.engine.generator.duration", "s", "Wall time of one generator pass.");

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "uploadguard.engine.queue.rejected", "{image}", "Images refused because the queue was full.");

    public static readonly UpDownCounter<int> QueueDepth = Meter.CreateUpDownCounter<int>(
        "uploadguard.engine.queue.depth", "{image}", "Images waiting for the generator.");
}
