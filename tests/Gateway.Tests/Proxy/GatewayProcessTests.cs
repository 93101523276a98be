using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Tests.Support;

using UploadGuard.Tests.Common;

namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>The gateway as a real process on loopback, driven by curl.</summary>
public sealed class GatewayProcessTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("uploadguard-process-").FullName;
    private readonly RecordingUpstream _upstream = new();
    private ChildProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
        // Configuration through the environment, as an operator would give it; the demo upstream stays on (the default).
        var environment = GatewayFixture.ProcessEnvironment(_upstream.Address);
        environment["DemoUpstream__StoragePath"] = Path.Combine(_work, "demo-store");
        _gateway = await GatewayFixture.StartProcessAsync(environment);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Readme_curl_round_trip_through_the_embedded_demo_upstream()
    {
        var photo = Path.Combine(_work, "cat.png");
        var original = TestPhotos.Png(80, 60, seed: 31);
        await File.WriteAllBytesAsync(photo, original);
        var fetched = Path.Combine(_work, "cat-protected.png");

        var upload = await Curl.RunAsync("-F", $"photo=@{photo}", new Uri(_gateway.Address, "/demo/upload").ToString());
        Assert.True(upload.ExitCode == 0, upload.Output);
        Assert.Contains("\"fileName\":\"cat.png\"", upload.Output);
        var fetch = await Curl.RunAsync("--fail", "-o", fetched, new Uri(_gateway.Address, "/demo/files/cat.png").ToString());
        Assert.True(fetch.ExitCode == 0, fetch.Output);

        var stored = await File.ReadAllBytesAsync(fetched);
        Assert.NotEqual(original, stored);
        Assert.InRange(PixelDifference.MaxAbs(original, stored), 1, 8);
    }

    [Fact]
    public async Task Curl_upload_with_expect_100_continue_reaches_the_real_upstream_protected()
    {
        var photo = Path.Combine(_work, "big.jpg");
        var original = TestPhotos.Jpeg(900, 700, seed: 32);
        await File.WriteAllBytesAsync(photo, original);
        var path = $"/site/{Guid.NewGuid():N}/upload";

        var result = await Curl.RunAsync("-H", "Expect: 100-continue", "-F", "title=Ünïcødé ✓", "-F", $"image=@{photo};type=image/jpeg",
            "-D", "-", new Uri(_gateway.Address, path).ToString());

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("X-UploadGuard-Status: protected", result.Output);
        var received = Assert.Single(_upstream.Received(path));
        Assert.Contains("Ünïcødé ✓", System.Text.Encoding.UTF8.GetString(received.Body));
        Assert.False(received.Headers.ContainsKey("Expect"));
    }

    [Fact]
    public async Task WebSocket_progress_with_the_token_in_the_query_string_and_no_token_in_the_logs()
    {
        var events = new ConcurrentQueue<JobEvent>();
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_gateway.Address, "/hubs/progress"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(GatewayFixture.AliceToken);
            })
            .Build();
        connection.On<JobEvent>("stage", events.Enqueue);
        await connection.StartAsync();
        var job = "ws-" + Guid.NewGuid().ToString("N");
        await connection.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", job);

        var photo = await WritePhotoAsync();
        var result = await Curl.RunAsync("-H", $"X-UploadGuard-Token: {GatewayFixture.AliceToken}", "-H", $"X-UploadGuard-Job: {job}",
            "-F", $"photo=@{photo}", new Uri(_gateway.Address, $"/site/{Guid.NewGuid():N}/upload").ToString());
        Assert.True(result.ExitCode == 0, result.Output);

        await Eventually.HoldsAsync(() => events.Any(e => e.Stage == JobStage.Done));
        Assert.Equal(JobStage.Done, events.Last().Stage);
        Assert.DoesNotContain(GatewayFixture.AliceToken, _gateway.Output);
    }

    [Fact]
    public async Task Health_readiness_and_metrics_endpoints_answer()
    {
        using var http = new HttpClient { BaseAddress = _gateway.Address };
        Assert.Equal("Healthy", await http.GetStringAsync("/healthz"));
        Assert.Equal("Healthy", await http.GetStringAsync("/readyz"));
        var info = JsonDocument.Parse(await http.GetStringAsync("/")).RootElement;
        Assert.Equal("untrained model: no protection claimed", info.GetProperty("warning").GetString());

        await Curl.RunAsync("-F", $"photo=@{await WritePhotoAsync()}", new Uri(_gateway.Address, "/demo/upload").ToString());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("uploadguard_images", metrics);
        Assert.Contains("uploadguard_engine_batch_size", metrics);
    }

    private async Task<string> WritePhotoAsync()
    {
        var path = Path.Combine(_work, "m.png");
        await File.WriteAllBytesAsync(path, TestPhotos.Png(seed: 33));
        return path;
    }
}
