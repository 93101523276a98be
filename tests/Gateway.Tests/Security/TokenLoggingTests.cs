using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UploadGuard.Gateway.Tests.Admin;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Security;

/// <summary>
/// Tokens never reach the logs: with the shipped log levels, and with every UploadGuard category at Trace, no logged
/// message or exception holds a client or admin token (right or wrong), whichever way it was sent.
/// </summary>
public sealed class TokenLoggingTests : IAsyncLifetime
{
    private const string WrongToken = "wrong-token-c0ffee-7e57";
    private readonly RecordingUpstream _upstream = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in GatewayFixture.Settings(_upstream.Address))
                builder.UseSetting(key, value);
            builder.UseSetting("Admin:Tokens:0", AdminFixture.AdminToken);
            builder.UseSetting("Logging:LogLevel:UploadGuard", "Trace");
            builder.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(new CapturingProvider(_lines))));
        });
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task No_token_appears_in_any_log_line()
    {
        using var client = _factory.CreateClient();
        var png = TestPhotos.Png(seed: 61);

        foreach (var token in new[] { GatewayFixture.AliceToken, WrongToken, AdminFixture.AdminToken })
        {
            using var bearer = new HttpRequestMessage(HttpMethod.Post, "/api/protect") { Content = TestPhotos.File(png, "image/png") };
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await client.SendAsync(bearer);

            using var header = new HttpRequestMessage(HttpMethod.Put, $"/site/{Guid.NewGuid():N}/p.png") { Content = TestPhotos.File(png, "image/png") };
            header.Headers.Add("X-UploadGuard-Token", token);
            await client.SendAsync(header);

            using var cookie = new HttpRequestMessage(HttpMethod.Put, $"/site/{Guid.NewGuid():N}/p.png") { Content = TestPhotos.File([1, 2, 3], "image/png") };
            cookie.Headers.Add("Cookie", "uploadguard_token=" + token);
            await client.SendAsync(cookie);

            await client.PostAsync($"/hubs/progress/negotiate?negotiateVersion=1&access_token={token}", null);
            using var adminCall = new HttpRequestMessage(HttpMethod.Get, "/admin/models");
            adminCall.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await client.SendAsync(adminCall);
        }

        Assert.NotEmpty(_lines);   // the capture works: there is something to search
        foreach (var token in new[] { GatewayFixture.AliceToken, WrongToken, AdminFixture.AdminToken })
            Assert.DoesNotContain(_lines, line => line.Contains(token, StringComparison.Ordinal));
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                lines.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {state} {exception}");
        }
    }
}
