using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using UploadGuard.Gateway.Engine;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>
/// The gateway in-process in front of the real upstream process, with its real engine behind a
/// <see cref="FaultyEngine"/> switch: the set-up of every test that injects engine faults.
/// </summary>
public sealed class FaultyEngineGateway : IAsyncDisposable
{
    private FaultyEngineGateway(RecordingUpstream upstream, WebApplicationFactory<Program> factory)
    {
        Upstream = upstream;
        Factory = factory;
        Engine = factory.Services.GetRequiredService<FaultyEngine>();
    }

    public RecordingUpstream Upstream { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public FaultyEngine Engine { get; }

    /// <param name="settings">Configuration on top of <see cref="GatewayFixture.Settings"/>, such as resilience limits.</param>
    public static async Task<FaultyEngineGateway> StartAsync(params (string Key, string Value)[] settings)
    {
        var upstream = new RecordingUpstream();
        await upstream.InitializeAsync();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in GatewayFixture.Settings(upstream.Address))
                builder.UseSetting(key, value);
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<FaultyEngine>();
                services.AddSingleton<IProtectionEngine>(sp => sp.GetRequiredService<FaultyEngine>());
            });
        });
        return new FaultyEngineGateway(upstream, factory);
    }

    /// <summary>A client whose timeout outlasts the gateway's own, so the test sees the gateway's answer.</summary>
    public HttpClient CreateClient(TimeSpan timeout) =>
        new(Factory.Server.CreateHandler()) { BaseAddress = Factory.Server.BaseAddress, Timeout = timeout };

    /// <summary>PUTs one PNG to the fail-closed route under <c>/site/<paramref name="name"/>/</c>.</summary>
    public static Task<HttpResponseMessage> UploadAsync(HttpClient client, string name) =>
        client.PutAsync($"/site/{name}/{Guid.NewGuid():N}.png", TestPhotos.File(TestPhotos.Png(), "image/png"));

    public async ValueTask DisposeAsync()
    {
        Engine.Release();
        await Factory.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
