using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Tests.Engine;

/// <summary>A deliberately broken engine (an injected fault) opens the circuit; once it works again, the circuit closes.</summary>
public sealed class CircuitBreakerTests : IAsyncLifetime
{
    private readonly RecordingUpstream _upstream = new();
    private WebApplicationFactory<Program> _factory = null!;
    private SwitchableEngine _engine = null!;

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in GatewayFixture.Settings(_upstream.Address))
                builder.UseSetting(key, value);
            builder.UseSetting("EngineResilience:MinimumThroughput", "3");
            builder.UseSetting("EngineResilience:BreakDuration", "00:00:01");
            builder.UseSetting("EngineResilience:SamplingDuration", "00:00:30");
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<SwitchableEngine>();
                services.AddSingleton<IProtectionEngine>(sp => sp.GetRequiredService<SwitchableEngine>());
            });
        });
        _engine = _factory.Services.GetRequiredService<SwitchableEngine>();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Engine_failures_open_the_circuit_nothing_is_forwarded_and_it_recovers()
    {
        using var client = _factory.CreateClient();
        _engine.Broken = true;

        for (int i = 0; i < 3; i++)
            await UploadProtectionTests.Problem(await UploadAsync(client, "broken"), HttpStatusCode.ServiceUnavailable, "engine_failure");
        var open = await UploadAsync(client, "open");
        await UploadProtectionTests.Problem(open, HttpStatusCode.ServiceUnavailable, "engine_unavailable");
        Assert.True(open.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        int callsWhileOpen = _engine.Calls;
        await UploadAsync(client, "open");
        Assert.Equal(callsWhileOpen, _engine.Calls);   // the open circuit keeps load off the engine
        Assert.Empty(_upstream.Received("/site/broken"));
        Assert.Empty(_upstream.Received("/site/open"));

        _engine.Broken = false;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(client, "healed")).StatusCode);
        Assert.Single(_upstream.Received("/site/healed"));
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, string name) =>
        client.PutAsync($"/site/{name}/{Guid.NewGuid():N}.png", TestPhotos.File(TestPhotos.Png(), "image/png"));

    /// <summary>The real engine, with a switch that makes every call throw as a crashed engine would.</summary>
    private sealed class SwitchableEngine(EngineState state) : IProtectionEngine
    {
        private readonly LocalProtectionEngine _real = new(state);
        private int _calls;

        public volatile bool Broken;

        public int Calls => Volatile.Read(ref _calls);

        public ModelCard ActiveCard => _real.ActiveCard;

        public Task<ProtectionResult> ProtectAsync(Stream input, ProtectionOptions options, IProgress<ProtectionProgress>? progress, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Broken
                ? Task.FromException<ProtectionResult>(new InvalidOperationException("injected engine fault"))
                : _real.ProtectAsync(input, options, progress, cancellationToken);
        }
    }
}
