using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using UploadGuard.Gateway.Admin;
using UploadGuard.Gateway.Api;
using UploadGuard.Gateway.Demo;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Health;
using UploadGuard.Gateway.Hubs;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Proxy;
using UploadGuard.Gateway.Security;
using UploadGuard.Gateway.Telemetry;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Batching;
using Yarp.ReverseProxy.Configuration;

var builder = WebApplication.CreateBuilder(args);

// The embedded default: http://localhost:5080 unless --urls, ASPNETCORE_URLS or Kestrel endpoints say otherwise.
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
    builder.WebHost.UseUrls("http://localhost:5080");

var services = builder.Services;
services.AddProblemDetails();
services.AddOpenApi();
services.AddProtectionEngine(builder.Configuration);
services.AddOptions<ProtectionDefaults>()
    .Bind(builder.Configuration.GetSection(ProtectionDefaults.SectionName))
    .Validate(d => ProtectionOptions.IsValidEpsilon(d.Epsilon),
        ProtectionOptions.EpsilonRangeMessage("Protection:Epsilon") + " Leave it unset for the active model's own.")
    .Validate(d => d.MaxRequestBytes > 0, "Protection:MaxRequestBytes must be positive.")
    .ValidateOnStart();
services.Configure<ClientTokenOptions>(builder.Configuration.GetSection(ClientTokenOptions.SectionName));
services.Configure<ProtectRateLimitOptions>(builder.Configuration.GetSection(ProtectRateLimitOptions.SectionName));
// Header limits: the gateway enforces the configured ones with a problem+json 431; Kestrel gets headroom above them and
// stays the hard backstop.
services.AddOptions<RequestHeaderLimitOptions>()
    .Bind(builder.Configuration.GetSection(RequestHeaderLimitOptions.SectionName))
    .Validate(o => o.MaxCount > 0 && o.MaxTotalBytes > 0, "RequestHeaders:MaxCount and RequestHeaders:MaxTotalBytes must be positive.")
    .ValidateOnStart();
services.AddOptions<KestrelServerOptions>()
    .Configure<IOptions<RequestHeaderLimitOptions>>((kestrel, limits) => limits.Value.ApplyBackstop(kestrel.Limits));
services.AddSingleton(TimeProvider.System);
services.AddSingleton<JobTracker>();
services.AddSingleton<UploadProcessor>();
services.AddSingleton<ProtectionPipeline>();

var authentication = services.AddAuthentication(ClientTokenAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ClientTokenAuthenticationHandler>(ClientTokenAuthenticationHandler.SchemeName, null);
services.AddOwnerKeys(authentication, builder.Configuration);
services.AddAuthorization(options => options.AddAdminPolicy());
services.Configure<AdminOptions>(builder.Configuration.GetSection(AdminOptions.SectionName));
services.Configure<RetrainingOptions>(builder.Configuration.GetSection(RetrainingOptions.SectionName));
services.AddSingleton<ModelActivation>();
services.AddHostedService<RegistryWatcher>();
services.AddSingleton<TrainingLease>();
services.AddSingleton<RetrainCoordinator>();
services.AddHostedService(sp => sp.GetRequiredService<RetrainCoordinator>());
// Enums travel as camelCase names everywhere (HTTP and SignalR), as docs/gateway.md writes them.
services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
var signalR = services.AddSignalR()
    .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
// Scale-out: with SignalR:Redis set, every instance shares groups through Redis, so a client connected to one
// instance sees the progress of an upload another instance handles.
if (builder.Configuration["SignalR:Redis"] is { Length: > 0 } redis)
    signalR.AddStackExchangeRedis(redis, options => options.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("uploadguard"));

var rateLimits = builder.Configuration.GetSection(ProtectRateLimitOptions.SectionName).Get<ProtectRateLimitOptions>() ?? new();
services.AddRateLimiter(limiter =>
{
    limiter.AddPolicy(ProtectEndpoints.RateLimitPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
        context.User.Identity?.Name ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
        _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = rateLimits.TokenLimit,
            TokensPerPeriod = rateLimits.TokensPerPeriod,
            ReplenishmentPeriod = rateLimits.ReplenishmentPeriod,
            QueueLimit = 0,
        }));
    limiter.OnRejected = async (rejected, _) =>
    {
        var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : rateLimits.ReplenishmentPeriod;
        await ProblemResponses.WriteAsync(rejected.HttpContext,
            new UploadRefusedException(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many protection requests from this client.", retryAfter: retry));
    };
});

// "System.Runtime" is .NET's built-in runtime meter (GC heap and committed memory, working set, thread pool): with it,
// /metrics tells managed memory from native memory without a diagnostics tool.
services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(GatewayMetrics.MeterName, EngineMetrics.MeterName, "System.Runtime")
    .AddAspNetCoreInstrumentation()
    .AddPrometheusExporter());

services.AddHealthChecks().AddCheck<EngineReadinessCheck>("engine", tags: ["ready"]);

var proxy = services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy")).AddConfigFilter<RouteMetadataValidator>();
var demoOptions = builder.Configuration.GetSection(DemoUpstreamOptions.SectionName).Get<DemoUpstreamOptions>() ?? new();
DemoUpstream? demo = null;
if (demoOptions.Enabled)
{
    demo = await DemoUpstream.StartAsync(demoOptions);
    services.AddSingleton(demo);
    proxy.LoadFromMemory(
        [new RouteConfig
        {
            RouteId = "demo",
            ClusterId = "demo",
            Match = new RouteMatch { Path = "/demo/{**rest}" },
            Metadata = new Dictionary<string, string>
            {
                ["UploadGuard.Protect"] = demoOptions.Protect ? "true" : "false",
                ["UploadGuard.OwnerSources"] = demoOptions.OwnerSources,
                ["UploadGuard.FixedOwner"] = demoOptions.FixedOwner,
            },
        }],
        [new ClusterConfig
        {
            ClusterId = "demo",
            Destinations = new Dictionary<string, DestinationConfig> { ["demo"] = new() { Address = demo.Address.ToString() } },
        }]);
}

var app = builder.Build();

// Made now, not at the first upload: a secret that is too short stops the start, and a new one's path is logged at once.
app.Services.GetRequiredService<OwnerKeys>();

app.UseExceptionHandler();
app.UseMiddleware<RequestHeaderLimitMiddleware>();
app.UseStatusCodePages();
// /admin-ui/ serves its index.html (and /admin-ui redirects there): the URL the README and docs/admin.md give.
app.UseDefaultFiles();
app.UseStaticFiles();   // wwwroot/admin-ui: the admin page (it calls the token-protected /admin API)
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = ReadinessResponse.WriteAsync });
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapOpenApi();
app.MapGet("/", (EngineState state) => Results.Ok(state.Describe())).WithName("GatewayInfo");
app.MapProtectApi();
app.MapHub<ProgressHub>(ProgressHub.Path);
app.MapHub<AdminHub>(AdminHub.Path);
app.MapAdminApi();
app.MapReverseProxy(pipeline => pipeline.UseMiddleware<UploadProtectionMiddleware>());

if (demo is not null)
    app.Lifetime.ApplicationStopped.Register(() => demo.DisposeAsync().AsTask().GetAwaiter().GetResult());

await app.RunAsync();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
