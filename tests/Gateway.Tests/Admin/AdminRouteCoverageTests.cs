using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using UploadGuard.Gateway.Admin;
using UploadGuard.Gateway.Security;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>
/// Every admin endpoint the app really maps (read from its endpoint table, not from a list someone keeps) demands
/// the admin role, and every one of them is among the routes <see cref="AdminApiTests"/> probes with missing, wrong
/// and client tokens, so a new admin route cannot ship without both.
/// </summary>
public sealed class AdminRouteCoverageTests(AdminFixture admin) : IClassFixture<AdminFixture>
{
    [Fact]
    public void Every_mapped_admin_endpoint_requires_the_admin_role_and_is_probed()
    {
        var endpoints = admin.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/admin", StringComparison.Ordinal) || raw.StartsWith("/hubs/admin", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(endpoints);

        var probed = AdminApiTests.Routes().Select(row => ((string)row[0], Normalise((string)row[1]))).ToHashSet();
        foreach (var endpoint in endpoints)
        {
            var raw = endpoint.RoutePattern.RawText!;
            var authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
            Assert.True(
                authorize.Any(a => a.Policy == AdminEndpoints.Policy || a.Roles == ClientTokenAuthenticationHandler.AdminRole),
                $"{raw} does not require the admin role");
            Assert.DoesNotContain(endpoint.Metadata, m => m is IAllowAnonymous);

            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["POST"])
            {
                if (raw.StartsWith("/hubs/admin", StringComparison.Ordinal) && raw != "/hubs/admin/negotiate") continue;   // the hub: one probe, its negotiate
                Assert.True(probed.Contains((method, Normalise(raw))), $"{method} {raw} is not probed by AdminApiTests.Routes");
            }
        }
    }

    /// <summary>Route parameters and concrete values compare equal: "/admin/retrain/{id}" and "/admin/retrain/0123".</summary>
    private static string Normalise(string path)
    {
        var segments = path.Split('?')[0].Split('/');
        if (segments.Length > 3 && segments[1] == "admin") segments[3] = "*";
        return string.Join('/', segments);
    }
}
