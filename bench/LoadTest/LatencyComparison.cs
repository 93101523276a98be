using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace UploadGuard.Bench.Load;

/// <summary>
/// Sends the same one-photo multipart uploads to two routes of one gateway process, both to the same upstream: the
/// <c>plain</c> route (no <c>UploadGuard.Protect</c> metadata: the protection middleware hands the request straight to
/// YARP) and the <c>protected</c> route. At each concurrency level, plain then protected: a warm-up, then the timed
/// uploads, with the gateway's RSS sampled and its <c>/metrics</c> read before and after to get the generator's batch
/// sizes and the engine's own time per image during that phase.
/// </summary>
public sealed class LatencyComparison(GatewayUnderTest gateway, LatencyOptions options)
{
    public const string PlainRoute = "plain";
    public const string ProtectedRoute = "protected";
    private const string Boundary = "----UploadGuardLatency7Tq2";
    private const string BatchSizeMetric = "uploadguard_engine_batch_size";
    private const string StageMetric = "uploadguard_stage_duration_seconds";
    private static readonly string[] EngineStages = ["decode", "queue", "generator", "apply", "encode", "verify"];

    public async Task<IReadOnlyList<LatencyPhase>> RunAsync(IReadOnlyList<byte[]> photos, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        var phases = new List<LatencyPhase>();
        foreach (int concurrency in options.ConcurrencyLevels)
        {
            foreach (var route in new[] { PlainRoute, ProtectedRoute })
            {
                var phase = await RunPhaseAsync(route, concurrency, photos);
                phases.Add(phase);
                gateway.ClearRecords();
                log(string.Create(CultureInfo.InvariantCulture,
                    $"{route} at concurrency {concurrency}: {phase.Succeeded}/{phase.Requests} ok in {phase.Elapsed.TotalSeconds:0.0} s, p50 {phase.P50:0} ms, p95 {phase.P95:0} ms, peak RSS {phase.PeakRssBytes / 1048576} MiB"));
            }
        }
        return phases;
    }

    private async Task<LatencyPhase> RunPhaseAsync(string route, int concurrency, IReadOnlyList<byte[]> photos)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var client = new HttpClient(handler) { BaseAddress = gateway.Address, Timeout = options.RequestTimeout };
        string prefix = string.Create(CultureInfo.InvariantCulture, $"/{route}/c{concurrency}");
        await SendAllAsync(client, prefix + "/warm", options.WarmUp, concurrency, photos, null, null);

        var before = await PrometheusSnapshot.ScrapeAsync(client, gateway.Address);
        long peak = ProcessMemory.Rss(gateway.GatewayProcessId);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ProcessMemory.Rss(gateway.GatewayProcessId));
                try { await Task.Delay(100, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var latencies = new ConcurrentBag<double>();
        var failures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        await SendAllAsync(client, prefix, options.Requests, concurrency, photos, latencies, failures, route == ProtectedRoute);
        var elapsed = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;
        var after = await PrometheusSnapshot.ScrapeAsync(client, gateway.Address);

        double batches = after.Sum(BatchSizeMetric + "_count") - before.Sum(BatchSizeMetric + "_count");
        double images = after.Sum(StageMetric + "_count", ("stage", "decode")) - before.Sum(StageMetric + "_count", ("stage", "decode"));
        double engineSeconds = EngineStages.Sum(s => after.Sum(StageMetric + "_sum", ("stage", s)) - before.Sum(StageMetric + "_sum", ("stage", s)));
        return new LatencyPhase
        {
            Route = route,
            Concurrency = concurrency,
            Requests = options.Requests,
            Succeeded = latencies.Count,
            Failures = failures,
            Elapsed = elapsed,
            LatenciesMs = [.. latencies],
            PeakRssBytes = peak,
            BatchSizes = BatchSizes(before.Buckets(BatchSizeMetric), after.Buckets(BatchSizeMetric)),
            MeanBatchSize = batches > 0 ? (after.Sum(BatchSizeMetric + "_sum") - before.Sum(BatchSizeMetric + "_sum")) / batches : null,
            EngineMsPerImage = images > 0 ? engineSeconds * 1000 / images : null,
        };
    }

    /// <summary>Sends <paramref name="count"/> uploads, <paramref name="concurrency"/> at a time; records latencies and failures when given bags.</summary>
    private static async Task SendAllAsync(HttpClient client, string prefix, int count, int concurrency, IReadOnlyList<byte[]> photos,
        ConcurrentBag<double>? latencies, ConcurrentDictionary<string, int>? failures, bool expectProtected = false)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var photo = photos[i % photos.Count];
            string id = string.Create(CultureInfo.InvariantCulture, $"u{i:D5}");
            var body = MultipartForm.Write(Boundary,
            [
                ("uploadId", null, "", Encoding.UTF8.GetBytes(id)),
                ("photo", "photo" + MultipartForm.Extension(photo), MultipartForm.TypeOf(photo), photo),
                ("caption", null, "", "latency comparison"u8.ToArray()),
            ]);
            var watch = Stopwatch.StartNew();
            string? failure;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
                using var response = await client.PostAsync(new Uri($"{prefix}/{id}", UriKind.Relative), content, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                string status = response.Headers.TryGetValues("X-UploadGuard-Status", out var values) ? values.Single() : "";
                failure = (int)response.StatusCode != 201 ? $"{(int)response.StatusCode} {status}".TrimEnd()
                    : expectProtected && status != "perturbed" ? $"201 but '{status}'"
                    : null;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failure = ex.GetType().Name;
            }
            double ms = watch.Elapsed.TotalMilliseconds;
            if (failure is null) latencies?.Add(ms);
            else failures?.AddOrUpdate(failure, 1, (_, n) => n + 1);
        });
    }

    /// <summary>Batches per size during a phase, from the histogram's cumulative buckets before and after it.</summary>
    private static List<(string Sizes, long Batches)> BatchSizes(IReadOnlyList<(double UpperBound, double Count)> before, IReadOnlyList<(double UpperBound, double Count)> after)
    {
        var result = new List<(string, long)>();
        double previousBound = 0, previousCount = 0;
        foreach (var (bound, cumulative) in after)
        {
            double count = cumulative - before.Where(b => b.UpperBound == bound).Sum(b => b.Count);
            long inBucket = (long)Math.Round(count - previousCount);
            if (inBucket > 0)
            {
                string sizes = double.IsPositiveInfinity(bound) ? $">{previousBound:0}"
                    : bound - previousBound <= 1 ? $"{bound:0}"
                    : $"{previousBound + 1:0}-{bound:0}";
                result.Add((sizes, inBucket));
            }
            previousBound = bound;
            previousCount = count;
        }
        return result;
    }
}
