using System.Globalization;
using System.Text;

namespace UploadGuard.Bench.Load;

/// <summary>
/// <c>load-test latency [--bin DIR] [--concurrency 1,8,32] [--requests 200] [--warmup 10] [--photos FOLDER|ARCHIVE]
/// [--max-photos N] [--engine-concurrency N] [--engine-queue N] [--out FILE.md]</c>: protected uploads against plain YARP
/// pass-through (issue #6, item 4), see <see cref="LatencyComparison"/>. Without --photos the uploads carry the 36
/// small synthetic photos of <see cref="SyntheticPhotos.Pool"/> (32-512 px, JPEG, PNG and WebP) in turn. The gateway
/// runs with its shipped engine settings unless --engine-concurrency / --engine-queue are given. Exit codes: 0 every
/// upload succeeded, 1 some failed, 2 bad usage.
/// </summary>
public static class LatencyMain
{
    public const string Mode = "latency";

    /// <summary>Issue #6's goal: at concurrency 1, protected p50 at most plain p50 plus this many times the engine's time per image.</summary>
    public const double EngineTimeAllowance = 1.2;

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        LatencyOptions options;
        string bin, photosDescription;
        string? output, engineConcurrency, engineQueue;
        List<byte[]> photos;
        try
        {
            bin = Path.GetFullPath(arguments.Value("--bin", "tests/Gateway.Tests/bin/Release/net10.0"));
            options = new LatencyOptions
            {
                ConcurrencyLevels = arguments.WholeNumbers("--concurrency", [1, 8, 32]),
                Requests = arguments.WholeNumber("--requests", 200),
                WarmUp = arguments.WholeNumber("--warmup", 10),
            };
            options.Validate();
            string? photoSource = arguments.Optional("--photos");
            int? maxPhotos = arguments.OptionalWholeNumber("--max-photos");
            engineConcurrency = arguments.Optional("--engine-concurrency");
            engineQueue = arguments.Optional("--engine-queue");
            output = arguments.Optional("--out");
            arguments.ThrowIfUnknown();
            photos = photoSource is null
                ? [.. SyntheticPhotos.Pool(1).Where(p => !p.Large).Select(p => p.Data).Take(maxPhotos ?? int.MaxValue)]
                : PhotoFiles.Read(photoSource, maxPhotos);
            photosDescription = photoSource is null
                ? $"{photos.Count} synthetic photos (32-512 px; JPEG q90, PNG, lossless WebP in turn)"
                : $"{photos.Count} photos from {photoSource}";
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"load-test latency: {ex.Message}");
            return 2;
        }

        await using var gateway = await GatewayUnderTest.StartAsync(bin, upstreamPort =>
        {
            var environment = new Dictionary<string, string>
            {
                ["DemoUpstream__Enabled"] = "false",
                ["ReverseProxy__Clusters__up__Destinations__one__Address"] = $"http://127.0.0.1:{upstreamPort}/",
                ["ReverseProxy__Routes__plain__ClusterId"] = "up",
                ["ReverseProxy__Routes__plain__Match__Path"] = $"/{LatencyComparison.PlainRoute}/{{**rest}}",
                ["ReverseProxy__Routes__protected__ClusterId"] = "up",
                ["ReverseProxy__Routes__protected__Match__Path"] = $"/{LatencyComparison.ProtectedRoute}/{{**rest}}",
                ["ReverseProxy__Routes__protected__Metadata__UploadGuard.Protect"] = "true",
                // The shipped model is owner-keyed: the route names its owner, as a site would.
                ["ReverseProxy__Routes__protected__Metadata__UploadGuard.OwnerSources"] = "fixed",
                ["ReverseProxy__Routes__protected__Metadata__UploadGuard.FixedOwner"] = "bench",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            if (engineConcurrency is not null) environment["EngineResilience__MaxConcurrency"] = engineConcurrency;
            if (engineQueue is not null) environment["EngineResilience__QueueLimit"] = engineQueue;
            return environment;
        });
        Console.Error.WriteLine($"gateway pid {gateway.GatewayProcessId} ready on {gateway.Address}; {photosDescription}");
        var phases = await new LatencyComparison(gateway, options).RunAsync(photos, Console.Error.WriteLine);
        long peakOverall = ProcessMemory.PeakRss(gateway.GatewayProcessId);

        var markdown = Markdown(phases, options, photosDescription, engineConcurrency, engineQueue, peakOverall);
        Console.WriteLine(markdown);
        if (output is not null)
            await File.WriteAllTextAsync(output, markdown);
        return phases.All(p => p.Succeeded == p.Requests) ? 0 : 1;
    }

    private static string Markdown(IReadOnlyList<LatencyPhase> phases, LatencyOptions options, string photos, string? engineConcurrency, string? engineQueue, long peakOverall)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("### Gateway: protected uploads against plain YARP pass-through");
        text.AppendLine();
        text.AppendLine(inv, $"One gateway process, two routes to the same recording upstream (plain: no protection metadata; protected: `UploadGuard.Protect`); "
            + $"one-photo multipart uploads of {photos}; {options.Requests} timed uploads per route and level after {options.WarmUp} warm-up uploads; "
            + $"engine limits {(engineConcurrency is null && engineQueue is null ? "as shipped (appsettings.json)" : $"concurrency {engineConcurrency ?? "shipped"}, queue {engineQueue ?? "shipped"}")}; "
            + $"{Environment.ProcessorCount} cores. Latency: request sent to response read, successful uploads only.");
        text.AppendLine();
        text.AppendLine("| route | concurrency | ok / sent | wall s | uploads/s | p50 ms | p95 ms | p99 ms | gateway peak RSS MiB | generator passes by batch size | mean batch | engine ms / image |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in phases)
        {
            string batches = p.BatchSizes.Count == 0 ? "" : string.Join(", ", p.BatchSizes.Select(b => $"{b.Sizes}: {b.Batches}"));
            text.AppendLine(inv, $"| {p.Route} | {p.Concurrency} | {p.Succeeded} / {p.Requests} | {p.Elapsed.TotalSeconds:0.0} | {p.Throughput:0.0} | {p.P50:0} | {p.P95:0} | {p.P99:0} | "
                + $"{p.PeakRssBytes / 1048576.0:0} | {batches} | {(p.MeanBatchSize is { } m ? m.ToString("0.00", inv) : "")} | {(p.EngineMsPerImage is { } e ? e.ToString("0", inv) : "")} |");
        }
        text.AppendLine();
        text.AppendLine("| concurrency | protected - plain p50 ms | p95 ms | p99 ms | throughput protected / plain |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var level in phases.GroupBy(p => p.Concurrency))
        {
            var plain = level.Single(p => p.Route == LatencyComparison.PlainRoute);
            var guarded = level.Single(p => p.Route == LatencyComparison.ProtectedRoute);
            text.AppendLine(inv, $"| {level.Key} | {guarded.P50 - plain.P50:0} | {guarded.P95 - plain.P95:0} | {guarded.P99 - plain.P99:0} | {guarded.Throughput / plain.Throughput:0.00} |");
        }
        text.AppendLine();
        if (phases.FirstOrDefault(p => p.Concurrency == 1 && p.Route == LatencyComparison.ProtectedRoute) is { EngineMsPerImage: { } engine } single)
        {
            var plain = phases.Single(p => p.Concurrency == 1 && p.Route == LatencyComparison.PlainRoute);
            double bound = plain.P50 + EngineTimeAllowance * engine;
            text.AppendLine(inv, $"Goal at concurrency 1, protected p50 <= plain p50 + {EngineTimeAllowance} x engine time per image: {single.P50:0} <= {plain.P50:0} + {EngineTimeAllowance} x {engine:0} = {bound:0} ms: "
                + $"**{(single.P50 <= bound ? "met" : "not met")}**.");
            // The engine time is a mean (the gateway's stage histograms give sums); with photos of mixed sizes the
            // like-for-like check compares means too: at concurrency 1 every upload's engine time is in its latency.
            double meanBound = plain.Mean + EngineTimeAllowance * engine;
            text.AppendLine(inv, $"The same with means (the engine time is a mean): {single.Mean:0} <= {plain.Mean:0} + {EngineTimeAllowance} x {engine:0} = {meanBound:0} ms: "
                + $"**{(single.Mean <= meanBound ? "met" : "not met")}**. Photos of one size (e.g. --photos ../shared/data/kodak24.tar) make the two checks agree.");
            text.AppendLine();
        }
        text.AppendLine(inv, $"Gateway peak RSS over the whole run (the kernel's high-water mark): {peakOverall / 1048576.0:0} MiB.");
        var failures = phases.Where(p => p.Failures.Count > 0).ToList();
        if (failures.Count > 0)
        {
            text.AppendLine();
            foreach (var p in failures)
                text.AppendLine(inv, $"- failed, {p.Route} at concurrency {p.Concurrency}: {string.Join(", ", p.Failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} x {f.Value}"))}");
        }
        return text.ToString();
    }
}
