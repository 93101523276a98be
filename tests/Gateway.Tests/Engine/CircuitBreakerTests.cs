using System.Net;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Engine;

/// <summary>A deliberately broken engine (an injected fault) opens the circuit; once it works again, the circuit closes.</summary>
public sealed class CircuitBreakerTests : IAsyncLifetime
{
    // Long enough that a loaded 2-core machine cannot let the break lapse (and a half-open trial through) between the
    // third failure and the requests that must find the circuit open.
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    private FaultyEngineGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await FaultyEngineGateway.StartAsync(
        ("EngineResilience:MinimumThroughput", "3"),
        ("EngineResilience:BreakDuration", BreakDuration.ToString("c")),
        ("EngineResilience:SamplingDuration", "00:00:30"));

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Engine_failures_open_the_circuit_nothing_is_forwarded_and_it_recovers()
    {
        using var client = _gateway.Factory.CreateClient();
        var engine = _gateway.Engine;
        var upstream = _gateway.Upstream;
        engine.Mode = FaultyEngine.Fault.Throw;

        for (int i = 0; i < 3; i++)
            await UploadProtectionTests.Problem(await FaultyEngineGateway.UploadAsync(client, "broken"), HttpStatusCode.ServiceUnavailable, "engine_failure");
        var open = await FaultyEngineGateway.UploadAsync(client, "open");
        await UploadProtectionTests.Problem(open, HttpStatusCode.ServiceUnavailable, "engine_unavailable");
        Assert.True(open.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        int callsWhileOpen = engine.Calls;
        await FaultyEngineGateway.UploadAsync(client, "open");
        Assert.Equal(callsWhileOpen, engine.Calls);   // the open circuit keeps load off the engine
        Assert.Empty(upstream.Received("/site/broken"));
        Assert.Empty(upstream.Received("/site/open"));

        engine.Mode = FaultyEngine.Fault.None;
        await Task.Delay(BreakDuration + TimeSpan.FromSeconds(0.5));
        Assert.Equal(HttpStatusCode.Created, (await FaultyEngineGateway.UploadAsync(client, "healed")).StatusCode);
        Assert.Single(upstream.Received("/site/healed"));
    }
}
