using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>
/// The gateway in-process (WebApplicationFactory) in front of a real upstream process, with routes for each mode:
/// /site (protect, fail closed), /open (protect, fail open), /plain (no protection), /capped (5,000 bytes, PNG only),
/// /owned (protect for the client user as owner).
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    public const string AliceToken = "alice-token-0123456789";
    public const string BobToken = "bob-token-9876543210";

    /// <summary>The owner-key secret of test gateways, so that none of them writes a secret file into the user's data folder.</summary>
    public const string OwnerSecret = "gateway-tests-owner-secret-0123456789abcdef";

    /// <summary>
    /// The budget of a route that sets none with the shipped model active: the epsilon its card's claim was measured at.
    /// </summary>
    public static int DefaultEpsilon { get; } = ShippedCard.Claim!.Epsilon;

    /// <summary>The shipped registry's active model card.</summary>
    public static ModelCard ShippedCard
    {
        get
        {
            var registry = new ModelRegistry(EngineOptions.DefaultModelsPath);
            return registry.ReadCard(registry.ActiveVersion);
        }
    }

    /// <summary>The fallback owner of the protecting routes but /owned (which takes its owner from the client user only).</summary>
    public const string SiteOwner = "site-owner";

    public RecordingUpstream Upstream { get; } = new();

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        await Upstream.InitializeAsync();
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in Settings(Upstream.Address))
                builder.UseSetting(key, value);
            builder.ConfigureTestServices(ConfigureServices);
        });
        Client = Factory.CreateClient();
        await WaitUntilReadyAsync(Client);
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public static Dictionary<string, string> Settings(Uri upstream)
    {
        var settings = new Dictionary<string, string>
        {
            ["DemoUpstream:Enabled"] = "false",
            ["Clients:AllowAnonymousProtect"] = "false",
            ["Clients:Users:0:Name"] = "alice",
            ["Clients:Users:0:Token"] = AliceToken,
            ["Clients:Users:1:Name"] = "bob",
            ["Clients:Users:1:Token"] = BobToken,
            ["Protection:OwnerKeys:Secret"] = OwnerSecret,
            ["RateLimits:Protect:TokenLimit"] = "1000",
            ["RateLimits:Protect:TokensPerPeriod"] = "1000",
            ["ReverseProxy:Clusters:up:Destinations:one:Address"] = upstream.ToString(),
            ["ReverseProxy:Clusters:impatient:Destinations:one:Address"] = upstream.ToString(),
            ["ReverseProxy:Clusters:impatient:HttpRequest:ActivityTimeout"] = "00:00:01",
        };
        void Route(string id, string path, params (string Key, string Value)[] metadata)
        {
            settings[$"ReverseProxy:Routes:{id}:ClusterId"] = id == "slow" ? "impatient" : "up";
            settings[$"ReverseProxy:Routes:{id}:Match:Path"] = path;
            foreach (var (key, value) in metadata)
                settings[$"ReverseProxy:Routes:{id}:Metadata:UploadGuard.{key}"] = value;
        }
        // The shipped model is owner-keyed, so each protecting route names its owner as a site would: the client user,
        // else the route's own fallback owner (as the demo route does).
        (string, string)[] keyed = [("Protect", "true"), ("OwnerSources", "client,fixed"), ("FixedOwner", SiteOwner)];
        Route("site", "/site/{**rest}", keyed);
        Route("open", "/open/{**rest}", [.. keyed, ("FailMode", "open")]);
        Route("plain", "/plain/{**rest}");
        Route("capped", "/capped/{**rest}", [.. keyed, ("MaxImageBytes", "5000"), ("Formats", "png")]);
        Route("slow", "/slow/{**rest}", keyed);
        Route("small", "/small/{**rest}", [.. keyed, ("MaxRequestBytes", "1000")]);
        Route("reset", "/reset/{**rest}", keyed);
        Route("owned", "/owned/{**rest}", ("Protect", "true"), ("OwnerSources", "client"));
        return settings;
    }

    /// <summary>The routes and client tokens of <see cref="Settings"/>, as environment variables for a gateway process.</summary>
    public static Dictionary<string, string> ProcessEnvironment(Uri upstream) =>
        Settings(upstream)
            .Where(kv => kv.Key.StartsWith("ReverseProxy", StringComparison.Ordinal) || kv.Key.StartsWith("Clients", StringComparison.Ordinal)
                || kv.Key.StartsWith("Protection", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

    /// <summary>Starts the gateway as a real process configured by <paramref name="environment"/>, once it is ready.</summary>
    public static async Task<ChildProcess> StartProcessAsync(Dictionary<string, string> environment)
    {
        var gateway = await ChildProcess.StartAsync("UploadGuard.Gateway.dll", environment);
        using var http = new HttpClient { BaseAddress = gateway.Address };
        try
        {
            await WaitUntilReadyAsync(http);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
        return gateway;
    }

    private static async Task WaitUntilReadyAsync(HttpClient client)
    {
        for (int i = 0; i < 300; i++)
        {
            if ((await client.GetAsync("/readyz")).IsSuccessStatusCode) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("The gateway never became ready.");
    }
}
