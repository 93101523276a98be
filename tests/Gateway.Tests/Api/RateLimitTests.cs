using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Api;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Each_client_has_its_own_token_bucket_on_the_protect_api()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in GatewayFixture.Settings(new Uri("http://127.0.0.1:9/")))
                builder.UseSetting(key, value);
            builder.UseSetting("RateLimits:Protect:TokenLimit", "2");
            builder.UseSetting("RateLimits:Protect:TokensPerPeriod", "1");
            builder.UseSetting("RateLimits:Protect:ReplenishmentPeriod", "00:01:00");
        });
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await ProtectAsync(client, GatewayFixture.AliceToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ProtectAsync(client, GatewayFixture.AliceToken)).StatusCode);
        var limited = await ProtectAsync(client, GatewayFixture.AliceToken);
        await UploadProtectionTests.Problem(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await ProtectAsync(client, GatewayFixture.BobToken)).StatusCode);
    }

    [Fact]
    public async Task The_bucket_holds_under_a_burst_of_concurrent_requests()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in GatewayFixture.Settings(new Uri("http://127.0.0.1:9/")))
                builder.UseSetting(key, value);
            builder.UseSetting("RateLimits:Protect:TokenLimit", "5");
            builder.UseSetting("RateLimits:Protect:TokensPerPeriod", "1");
            builder.UseSetting("RateLimits:Protect:ReplenishmentPeriod", "00:10:00");
        });
        using var client = factory.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ProtectAsync(client, GatewayFixture.AliceToken)));

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(15, limited.Count);
        Assert.All(limited, r => Assert.NotNull(r.Headers.RetryAfter));
        await UploadProtectionTests.Problem(limited[0], HttpStatusCode.TooManyRequests, "rate_limited");
    }

    private static Task<HttpResponseMessage> ProtectAsync(HttpClient client, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/protect") { Content = TestPhotos.File(TestPhotos.Png(16, 16), "image/png") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
