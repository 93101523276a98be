using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>Route metadata and protection defaults are checked when the gateway starts, naming what is wrong.</summary>
public sealed class RouteMetadataValidatorTests
{
    [Theory]
    [InlineData("ReverseProxy:Routes:site:Metadata:UploadGuard.Epsilon", "99", "Route 'site' has invalid UploadGuard metadata")]
    [InlineData("ReverseProxy:Routes:site:Metadata:UploadGuard.OwnerSources", "carrier-pigeon", "Unknown owner source 'carrier-pigeon'")]
    [InlineData("ReverseProxy:Routes:site:Metadata:UploadGuard.FailMode", "sometimes", "Route 'site' has invalid UploadGuard metadata")]
    [InlineData("Protection:Epsilon", "0", "Protection:Epsilon must be between 1 and 32")]
    public async Task A_bad_value_stops_the_start_and_names_what_is_wrong(string key, string value, string message)
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (k, v) in GatewayFixture.Settings(new Uri("http://127.0.0.1:9/")))
                builder.UseSetting(k, v);
            builder.UseSetting(key, value);
        });

        var ex = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(ex);
        Assert.Contains(message, ex.ToString());
    }
}
