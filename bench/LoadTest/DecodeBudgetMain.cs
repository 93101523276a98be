using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace UploadGuard.Bench.Load;

/// <summary>
/// <c>load-test budget [--bin DIR] [--giants 8] [--side 6000] [--probes 20] [--out FILE.md]</c>: issue 17's decode
/// budget under attack. A gateway with its shipped limits; first <c>--probes</c> small uploads one after another (their
/// normal latency); then <c>--giants</c> grey PNGs of <c>--side</c> squared pixels (a few tens of KB each, hundreds of
/// MB decoded) at once, while the same small uploads go on one after another. Reports each giant's answer, the small
/// uploads' latency beside them, the gateway's peak RSS against its idle baseline, and whether any answer said the
/// engine timed out or its circuit opened. Exit codes: 0 no small upload failed and no engine timeout or open circuit,
/// 1 otherwise, 2 bad usage.
/// </summary>
public static class DecodeBudgetMain
{
    public const string Mode = "budget";

    private static readonly string[] EngineFaults = ["engine_timeout", "engine_unavailable", "engine_failure"];

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        string bin;
        int giants, side, probes;
        string? output;
        try
        {
            bin = Path.GetFullPath(arguments.Value("--bin", "tests/Gateway.Tests/bin/Release/net10.0"));
            giants = arguments.WholeNumber("--giants", 8);
            side = arguments.WholeNumber("--side", 6000);
            probes = arguments.WholeNumber("--probes", 20);
            output = arguments.Optional("--out");
            arguments.ThrowIfUnknown();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync($"load-test budget: {ex.Message}");
            return 2;
        }

        await using var gateway = await GatewayUnderTest.StartAsync(bin, upstreamPort => new Dictionary<string, string>
        {
            ["DemoUpstream__Enabled"] = "false",
            ["ReverseProxy__Clusters__up__Destinations__one__Address"] = $"http://127.0.0.1:{upstreamPort}/",
            ["ReverseProxy__Routes__guarded__ClusterId"] = "up",
            ["ReverseProxy__Routes__guarded__Match__Path"] = "/guarded/{**rest}",
            ["ReverseProxy__Routes__guarded__Metadata__UploadGuard.Protect"] = "true",
            // The shipped model is owner-keyed: the route names its owner, as a site would.
            ["ReverseProxy__Routes__guarded__Metadata__UploadGuard.OwnerSources"] = "fixed",
            ["ReverseProxy__Routes__guarded__Metadata__UploadGuard.FixedOwner"] = "bench",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(5) };
        var small = SyntheticPhotos.Pool(1).Where(p => !p.Large).Select(p => p.Data).Take(8).ToList();
        var giant = FlatPng.Grey(side, side, 128);
        Console.Error.WriteLine($"gateway pid {gateway.GatewayProcessId}; giant PNG {giant.Length:N0} bytes for {side}x{side}");

        for (int i = 0; i < 3; i++) await SendAsync(http, $"/guarded/warm-{i}", small[i % small.Count]);
        long idleRss = ProcessMemory.Rss(gateway.GatewayProcessId);
        var alone = new List<double>();
        for (int i = 0; i < probes; i++)
            alone.Add((await SendAsync(http, $"/guarded/alone-{i}", small[i % small.Count])).Ms);

        var watch = Stopwatch.StartNew();
        var giantTasks = Enumerable.Range(0, giants).Select(i => SendAsync(http, $"/guarded/giant-{i}", giant)).ToList();
        var beside = new List<(int Status, string Reason, double Ms)>();
        long peakRss = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakRss = Math.Max(peakRss, ProcessMemory.Rss(gateway.GatewayProcessId));
                await Task.Delay(50);
            }
        });
        for (int i = 0; !giantTasks.All(t => t.IsCompleted) || i < probes; i++)
            beside.Add(await SendAsync(http, $"/guarded/beside-{i}", small[i % small.Count]));
        var giantResults = await Task.WhenAll(giantTasks);
        double giantsSeconds = watch.Elapsed.TotalSeconds;
        var after = await SendAsync(http, "/guarded/after", small[0]);
        await sampling.CancelAsync();
        await sampler;

        var all = giantResults.Concat(beside).Append(after).ToList();
        bool engineFault = all.Any(r => EngineFaults.Contains(r.Reason));
        bool smallFailed = beside.Any(r => r.Status != 201) || after.Status != 201;
        var markdown = Markdown(side, giant.Length, giants, alone, giantResults, beside, after, idleRss, peakRss, giantsSeconds, engineFault);
        Console.WriteLine(markdown);
        if (output is not null) await File.WriteAllTextAsync(output, markdown);
        return smallFailed || engineFault ? 1 : 0;
    }

    private static string Markdown(int side, int giantBytes, int giants, List<double> alone, (int Status, string Reason, double Ms)[] giantResults,
        List<(int Status, string Reason, double Ms)> beside, (int Status, string Reason, double Ms) after, long idleRss, long peakRss, double giantsSeconds, bool engineFault)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"### Decode budget: {giants} grey {side}x{side} PNGs at once ({giantBytes / 1024.0:0} KiB each, {(long)side * side / 1e6:0.0} Mpx decoded) beside one-photo uploads");
        text.AppendLine();
        text.AppendLine(inv, $"Gateway with its shipped limits (appsettings.json); {Environment.ProcessorCount} cores. Small uploads: the synthetic photos of `SyntheticPhotos.Pool` (32-512 px), one at a time.");
        text.AppendLine();
        text.AppendLine("| what | count | answers | latency p50 / p95 / max ms |");
        text.AppendLine("|---|---|---|---|");
        text.AppendLine(inv, $"| small uploads alone | {alone.Count} | 201 x {alone.Count} | {Bench.Percentiles.Of(alone, 0.5):0} / {Bench.Percentiles.Of(alone, 0.95):0} / {alone.Max():0} |");
        var besideMs = beside.Where(r => r.Status == 201).Select(r => r.Ms).ToList();
        text.AppendLine(inv, $"| small uploads beside the giants | {beside.Count} | {Answers(beside)} | {(besideMs.Count > 0 ? $"{Bench.Percentiles.Of(besideMs, 0.5):0} / {Bench.Percentiles.Of(besideMs, 0.95):0} / {besideMs.Max():0}" : "")} |");
        text.AppendLine(inv, $"| giant PNGs | {giantResults.Length} | {Answers(giantResults)} | {Bench.Percentiles.Of([.. giantResults.Select(r => r.Ms)], 0.5):0} / {Bench.Percentiles.Of([.. giantResults.Select(r => r.Ms)], 0.95):0} / {giantResults.Max(r => r.Ms):0} |");
        text.AppendLine(inv, $"| one small upload after | 1 | {Answers([after])} | {after.Ms:0} |");
        text.AppendLine();
        text.AppendLine(inv, $"Gateway RSS: {idleRss / 1048576.0:0} MiB idle before, {peakRss / 1048576.0:0} MiB peak while the giants ran ({giantsSeconds:0} s). "
            + $"Engine timeouts or an open circuit: **{(engineFault ? "yes" : "none")}**.");
        return text.ToString();
    }

    private static string Answers(IEnumerable<(int Status, string Reason, double Ms)> results) =>
        string.Join(", ", results.GroupBy(r => r.Status == 201 ? "201" : $"{r.Status} {r.Reason}").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x {g.Count()}"));

    private static async Task<(int Status, string Reason, double Ms)> SendAsync(HttpClient http, string path, byte[] image)
    {
        var watch = Stopwatch.StartNew();
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        try
        {
            using var response = await http.PutAsync(path, content);
            var body = await response.Content.ReadAsStringAsync();
            string reason = "";
            if ((int)response.StatusCode >= 400 && body.StartsWith('{'))
            {
                using var problem = JsonDocument.Parse(body);
                reason = problem.RootElement.TryGetProperty("reason", out var r) ? r.GetString() ?? "" : "";
            }
            return ((int)response.StatusCode, reason, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (0, ex.GetType().Name, watch.Elapsed.TotalMilliseconds);
        }
    }
}
