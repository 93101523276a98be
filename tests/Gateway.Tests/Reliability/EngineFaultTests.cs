using System.Diagnostics;
using System.Net;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Reliability;

/// <summary>
/// A slow engine and a stuck one (exceptions: <see cref="Engine.CircuitBreakerTests"/>). Each upload ends in an explicit
/// 503 within the timeout, nothing is forwarded while the engine misbehaves, the circuit opens and then recovers, and
/// the client's counts agree with the upstream's.
/// </summary>
public sealed class EngineFaultTests : IAsyncLifetime
{
    private FaultyEngineGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await FaultyEngineGateway.StartAsync(
        ("EngineResilience:Timeout", "00:00:01"),
        ("EngineResilience:MinimumThroughput", "3"),
        ("EngineResilience:BreakDuration", "00:00:01"));

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Slow_engine_answers_503_engine_timeout_and_forwards_nothing()
    {
        using var client = _gateway.Factory.CreateClient();
        _gateway.Engine.Mode = FaultyEngine.Fault.Slow;
        _gateway.Engine.Delay = TimeSpan.FromSeconds(10);

        var watch = Stopwatch.StartNew();
        var response = await FaultyEngineGateway.UploadAsync(client, "slow");

        await UploadProtectionTests.Problem(response, HttpStatusCode.ServiceUnavailable, "engine_timeout");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
        Assert.Empty(_gateway.Upstream.Received("/site/slow"));
    }

    [Fact]
    public async Task Stuck_engine_still_times_out_opens_the_circuit_and_the_gateway_recovers()
    {
        using var client = _gateway.CreateClient(TimeSpan.FromSeconds(30));
        _gateway.Engine.Mode = FaultyEngine.Fault.Stuck;
        var statuses = new List<HttpStatusCode>();

        for (int i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await FaultyEngineGateway.UploadAsync(client, "stuck");
            statuses.Add(response.StatusCode);
            await UploadProtectionTests.Problem(response, HttpStatusCode.ServiceUnavailable, "engine_timeout");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"a stuck engine held the request for {watch.Elapsed}");
        }
        var open = await FaultyEngineGateway.UploadAsync(client, "stuck");
        statuses.Add(open.StatusCode);
        await UploadProtectionTests.Problem(open, HttpStatusCode.ServiceUnavailable, "engine_unavailable");

        _gateway.Engine.Mode = FaultyEngine.Fault.None;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        for (int i = 0; i < 3; i++)
        {
            var healed = await FaultyEngineGateway.UploadAsync(client, "healed");
            statuses.Add(healed.StatusCode);
            Assert.Equal(HttpStatusCode.Created, healed.StatusCode);
        }

        // The counts reconcile: every 201 reached the upstream exactly once, every 503 not at all.
        Assert.Empty(_gateway.Upstream.Received("/site/stuck"));
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.Created), _gateway.Upstream.Received("/site/healed").Count);
        Assert.Equal(200, (int)(await client.GetAsync("/healthz")).StatusCode);
    }
}
