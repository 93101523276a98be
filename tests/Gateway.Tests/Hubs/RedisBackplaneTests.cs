using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Hubs;

/// <summary>Two gateway processes sharing a real redis-server as the SignalR backplane.</summary>
public sealed class RedisBackplaneTests
{
    [SkippableFact]
    public async Task Client_on_instance_B_receives_the_progress_of_an_upload_handled_by_instance_A()
    {
        Skip.If(RedisServer.Executable is null, "redis-server is not installed (scripts/setup.sh installs it): backplane test skipped.");
        await using var redis = await RedisServer.StartAsync();
        await using var upstream = new RecordingUpstreamScope();
        await upstream.Upstream.InitializeAsync();
        var environment = GatewayFixture.Settings(upstream.Upstream.Address)
            .Where(kv => kv.Key.StartsWith("ReverseProxy", StringComparison.Ordinal) || kv.Key.StartsWith("Clients", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        environment["SignalR__Redis"] = redis.ConnectionString;
        environment["DemoUpstream__Enabled"] = "false";
        await using var a = await ChildProcess.StartAsync("UploadGuard.Gateway.dll", environment);
        await using var b = await ChildProcess.StartAsync("UploadGuard.Gateway.dll", environment);

        var aliceEvents = new ConcurrentQueue<JobEvent>();
        var bobEvents = new ConcurrentQueue<JobEvent>();
        await using var alice = await ConnectAsync(b.Address, GatewayFixture.AliceToken, aliceEvents);
        await using var bob = await ConnectAsync(b.Address, GatewayFixture.BobToken, bobEvents);
        var job = "scale-" + Guid.NewGuid().ToString("N");
        await alice.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", job);
        await bob.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", "bob-" + Guid.NewGuid().ToString("N"));

        var photo = Path.Combine(Path.GetTempPath(), $"backplane-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(photo, TestPhotos.Png(seed: 41));
        try
        {
            var result = await Curl.RunAsync("-H", $"X-UploadGuard-Token: {GatewayFixture.AliceToken}", "-H", $"X-UploadGuard-Job: {job}",
                "-F", $"photo=@{photo}", new Uri(a.Address, $"/site/{Guid.NewGuid():N}/upload").ToString());
            Assert.True(result.ExitCode == 0, result.Output);
        }
        finally
        {
            File.Delete(photo);
        }

        for (int i = 0; i < 200 && !aliceEvents.Any(e => e.Stage == JobStage.Done); i++)
            await Task.Delay(50);
        Assert.Equal(
            [JobStage.Received, JobStage.Queued, JobStage.Protecting, JobStage.Encoded, JobStage.Forwarded, JobStage.Done],
            aliceEvents.Select(e => e.Stage));
        Assert.Empty(bobEvents);
    }

    private static async Task<HubConnection> ConnectAsync(Uri gateway, string token, ConcurrentQueue<JobEvent> sink)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(gateway, "/hubs/progress"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        connection.On<JobEvent>("stage", sink.Enqueue);
        await connection.StartAsync();
        return connection;
    }

    private sealed class RecordingUpstreamScope : IAsyncDisposable
    {
        public RecordingUpstream Upstream { get; } = new();

        public async ValueTask DisposeAsync() => await Upstream.DisposeAsync();
    }
}
