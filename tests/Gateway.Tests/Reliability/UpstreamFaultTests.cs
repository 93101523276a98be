using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Reliability;

/// <summary>
/// The upstream down (nothing listens on its port) or resetting the connection in the middle of the body. A slow
/// upstream (504) and one that resets after the body (502) are in <see cref="UploadProtectionTests"/>.
/// </summary>
public sealed class UpstreamFaultTests : IAsyncLifetime
{
    private readonly RecordingUpstream _upstream = new();
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in GatewayFixture.Settings(_upstream.Address))
                builder.UseSetting(key, value);
            builder.UseSetting("ReverseProxy:Clusters:down:Destinations:one:Address", $"http://127.0.0.1:{FreePort.Next()}/");
            builder.UseSetting("ReverseProxy:Routes:down:ClusterId", "down");
            builder.UseSetting("ReverseProxy:Routes:down:Match:Path", "/down/{**rest}");
            builder.UseSetting("ReverseProxy:Routes:down:Metadata:UploadGuard.Protect", "true");
            builder.UseSetting("ReverseProxy:Routes:down:Metadata:UploadGuard.OwnerSources", "fixed");
            builder.UseSetting("ReverseProxy:Routes:down:Metadata:UploadGuard.FixedOwner", GatewayFixture.SiteOwner);
            builder.UseSetting("ReverseProxy:Routes:cut:ClusterId", "up");
            builder.UseSetting("ReverseProxy:Routes:cut:Match:Path", "/cut/{**rest}");
            builder.UseSetting("ReverseProxy:Routes:cut:Metadata:UploadGuard.Protect", "true");
            builder.UseSetting("ReverseProxy:Routes:cut:Metadata:UploadGuard.OwnerSources", "fixed");
            builder.UseSetting("ReverseProxy:Routes:cut:Metadata:UploadGuard.FixedOwner", GatewayFixture.SiteOwner);
        });
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Upstream_down_is_a_502_problem_after_protection_and_the_gateway_stays_healthy()
    {
        using var client = _factory.CreateClient();
        for (int i = 0; i < 3; i++)
        {
            var response = await client.PutAsync($"/down/{Guid.NewGuid():N}/photo.png", TestPhotos.File(TestPhotos.Png(seed: i), "image/png"));
            var problem = await UploadProtectionTests.Problem(response, HttpStatusCode.BadGateway, "upstream_unreachable");
            Assert.Contains("not retried", problem.GetProperty("detail").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Upstream_resetting_mid_body_is_a_502_and_the_upload_is_not_retried()
    {
        using var client = _factory.CreateClient();
        var path = $"/cut/{Guid.NewGuid():N}/photo.png";
        var photo = TestPhotos.Png(600, 400, seed: 41);   // protected, still far more than the 1 KiB the upstream reads

        var response = await client.PutAsync(path + "?after=1024", TestPhotos.File(photo, "image/png"));

        await UploadProtectionTests.Problem(response, HttpStatusCode.BadGateway, "upstream_unreachable");
        var seen = Assert.Single(_upstream.Received(path));
        Assert.False(seen.Complete);
        Assert.True(seen.Body.Length <= 1024);
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync($"/site/{Guid.NewGuid():N}/after-cut.png", TestPhotos.File(TestPhotos.Png(), "image/png"))).StatusCode);
    }
}
