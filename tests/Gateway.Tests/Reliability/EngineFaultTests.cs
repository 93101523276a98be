using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using UploadGuard.Gateway.Engine;
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
    private readonly RecordingUpstream _upstream = new();
    private WebApplicationFactory<Program> _factory = null!;
    private FaultyEngine _engine = null!;

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in GatewayFixture.Settings(_upstream.Address))
                builder.UseSetting(key, value);
            builder.UseSetting("EngineResilience:Timeout", "00:00:01");
            builder.UseSetting("EngineResilience:MinimumThroughput", "3");
            builder.UseSetting("EngineResilience:BreakDuration", "00:00:01");
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<FaultyEngine>();
                services.AddSingleton<IProtectionEngine>(sp => sp.GetRequiredService<FaultyEngine>());
            });
        });
        _engine = _factory.Services.GetRequiredService<FaultyEngine>();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Slow_engine_answers_503_engine_timeout_and_forwards_nothing()
    {
        using var client = _factory.CreateClient();
        _engine.Mode = FaultyEngine.Fault.Slow;
        _engine.Delay = TimeSpan.FromSeconds(10);

        var watch = Stopwatch.StartNew();
        var response = await UploadAsync(client, "slow");

        await UploadProtectionTests.Problem(response, HttpStatusCode.ServiceUnavailable, "engine_timeout");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
        Assert.Empty(_upstream.Received("/site/slow"));
    }

    [Fact]
    public async Task Stuck_engine_still_times_out_opens_the_circuit_and_the_gateway_recovers()
    {
        using var client = new HttpClient(_factory.Server.CreateHandler()) { BaseAddress = _factory.Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _engine.Mode = FaultyEngine.Fault.Stuck;
        var statuses = new List<HttpStatusCode>();

        for (int i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await UploadAsync(client, "stuck");
            statuses.Add(response.StatusCode);
            await UploadProtectionTests.Problem(response, HttpStatusCode.ServiceUnavailable, "engine_timeout");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"a stuck engine held the request for {watch.Elapsed}");
        }
        var open = await UploadAsync(client, "stuck");
        statuses.Add(open.StatusCode);
        await UploadProtectionTests.Problem(open, HttpStatusCode.ServiceUnavailable, "engine_unavailable");

        _engine.Mode = FaultyEngine.Fault.None;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        for (int i = 0; i < 3; i++)
        {
            var healed = await UploadAsync(client, "healed");
            statuses.Add(healed.StatusCode);
            Assert.Equal(HttpStatusCode.Created, healed.StatusCode);
        }

        // The counts reconcile: every 201 reached the upstream exactly once, every 503 not at all.
        Assert.Empty(_upstream.Received("/site/stuck"));
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.Created), _upstream.Received("/site/healed").Count);
        Assert.Equal(200, (int)(await client.GetAsync("/healthz")).StatusCode);
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, string name) =>
        client.PutAsync($"/site/{name}/{Guid.NewGuid():N}.png", TestPhotos.File(TestPhotos.Png(), "image/png"));
}
