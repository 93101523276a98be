namespace UploadGuard.Bench.Load;

/// <summary>What one route saw at one concurrency in a <see cref="LatencyComparison"/>.</summary>
public sealed record LatencyPhase
{
    /// <summary><c>plain</c> (YARP pass-through, protection off) or <c>protected</c>.</summary>
    public required string Route { get; init; }

    public required int Concurrency { get; init; }

    public required int Requests { get; init; }

    /// <summary>201 from the upstream; on the protected route also marked <c>protected</c> by the gateway.</summary>
    public required int Succeeded { get; init; }

    /// <summary>Every other answer, by status and reason (e.g. <c>503 engine_busy</c>), or the exception for no answer.</summary>
    public required IReadOnlyDictionary<string, int> Failures { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>Latency of the successful requests, in milliseconds: the request sent to the response read.</summary>
    public required IReadOnlyList<double> LatenciesMs { get; init; }

    /// <summary>Highest gateway RSS sampled during the phase (every 100 ms).</summary>
    public required long PeakRssBytes { get; init; }

    /// <summary>Generator passes during the phase by batch size (a size or a range of sizes, as the histogram's buckets give them).</summary>
    public required IReadOnlyList<(string Sizes, long Batches)> BatchSizes { get; init; }

    /// <summary>Images per generator pass, on average; null when there was none.</summary>
    public double? MeanBatchSize { get; init; }

    /// <summary>The engine's own time per image (decode, queue, generator, apply, encode, verify) from the gateway's stage metrics; null without images.</summary>
    public double? EngineMsPerImage { get; init; }

    public double Throughput => Succeeded / Elapsed.TotalSeconds;

    public double Mean => LatenciesMs.Count == 0 ? double.NaN : LatenciesMs.Average();

    public double P50 => Bench.Percentiles.Of(LatenciesMs, 0.50);

    public double P95 => Bench.Percentiles.Of(LatenciesMs, 0.95);

    public double P99 => Bench.Percentiles.Of(LatenciesMs, 0.99);
}
