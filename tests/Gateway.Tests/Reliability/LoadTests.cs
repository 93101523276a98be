using UploadGuard.Bench.Load;
using UploadGuard.Gateway.Tests.Support;
using Xunit.Abstractions;

namespace UploadGuard.Gateway.Tests.Reliability;

/// <summary>
/// The bounded CI version of bench/LoadTest: 100 mixed uploads at concurrency 16 through a real gateway process to the
/// real upstream process, with engine limits low enough that backpressure shows (503 engine_busy with Retry-After,
/// retried by the client). Nothing may be lost: both sides' counts reconcile, every forwarded image is protected. Once
/// the load is over, the gateway gives the C allocator's free memory back (<see cref="Engine.NativeMemoryTrimmer"/>).
/// </summary>
public sealed class LoadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RecordingUpstream _upstream = new();
    private ChildProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
        var environment = GatewayFixture.ProcessEnvironment(_upstream.Address);
        environment["DemoUpstream__Enabled"] = "false";
        environment["EngineResilience__MaxConcurrency"] = "2";
        environment["EngineResilience__QueueLimit"] = "4";
        // Longer than any pause in the run (clients wait at most 3 s before a retry), so the trim comes after it.
        environment["NativeMemory__TrimWhenIdleFor"] = "00:00:04";
        _gateway = await GatewayFixture.StartProcessAsync(environment);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Hundred_mixed_uploads_at_concurrency_16_reconcile_with_nothing_lost()
    {
        var options = new LoadOptions { Uploads = 100, Concurrency = 16, Deadline = TimeSpan.FromMinutes(8), PathPrefix = $"/site/load-{Guid.NewGuid():N}" };
        var run = new LoadRun(_gateway.Address, _gateway.ProcessId,
            prefix => [.. _upstream.Received(prefix).Select(r => new UpstreamRecord(r.Path, r.Headers.GetValueOrDefault("Content-Type"), r.Body, r.Complete))],
            options);

        var report = await run.RunAsync(output.WriteLine);
        output.WriteLine(report.ToMarkdown());

        Assert.True(report.Lost.Count == 0, string.Join("\n", report.Lost));
        Assert.Equal(0, report.UpstreamUnexpected);
        Assert.Equal(100, report.Forwarded + report.Refused);
        Assert.Equal(report.Forwarded, report.UpstreamRecords);
        Assert.True(report.Reconciled);
        // Not everything may be refused (that would reconcile trivially); damaged and out-of-patience uploads may be.
        Assert.True(report.Forwarded >= 50, $"only {report.Forwarded} forwarded");
        Assert.Equal(report.Status503, report.Status503WithRetryAfter);
        // Each kind gets the answer it should: images protected, forms without one forwarded as they are, damaged images
        // refused; and any of them may meet backpressure that outlasts the client's patience.
        Assert.All(report.Outcomes.Keys, k => Assert.Matches(@"^((one|two|large): 201 perturbed|no-image: 201 no-images|damaged: 422 (truncated|undecodable)|\w+(-\w+)?: 503 (engine_busy|engine_overloaded|decode_budget_busy))$", k));
        Assert.InRange(report.PeakRssBytes, 1, 2L * 1024 * 1024 * 1024);   // the gateway with its model idles near 260 MiB
        var gauges = await LoadRun.GaugesAsync(_gateway.Address);
        Assert.Equal((0d, 0d), gauges);

        // Idle again: within a few seconds the free native memory the load left behind goes back to the system. On a
        // busy machine the engine may already have idled long enough for a trim while the last clients waited to retry,
        // so one more protection marks the end of the work the next trim has to follow.
        await ProtectOnePhotoAsync();
        var loaded = await MemorySnapshot.TakeAsync(_gateway.ProcessId, _gateway.Address);
        int trimsBefore = Trims().Count;
        await Eventually.HoldsAsync(() => Trims().Count > trimsBefore);
        var idle = await MemorySnapshot.TakeAsync(_gateway.ProcessId, _gateway.Address);
        output.WriteLine(string.Join('\n', [MemorySnapshot.MarkdownHeader, loaded.ToMarkdownRow("right after the run"), idle.ToMarkdownRow("after the idle trim"), .. Trims()]));
        Assert.True(Trims().Count > trimsBefore, "the idle gateway never trimmed its native memory");
        Assert.True(idle.Rss < loaded.Rss, $"RSS {loaded.Rss / 1048576} MiB after the run, {idle.Rss / 1048576} MiB once idle");
    }

    private async Task ProtectOnePhotoAsync()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_gateway.Address, "/api/protect")) { Content = TestPhotos.File(TestPhotos.Png(), "image/png") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFixture.AliceToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private List<string> Trims() => [.. _gateway.Output.Split('\n').Where(l => l.Contains("trimmed the C allocator", StringComparison.Ordinal))];
}
