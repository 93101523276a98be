using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Protection;
using UploadGuard.ProtectionEngine.Imaging;
using Yarp.ReverseProxy.Configuration;

namespace UploadGuard.Gateway.Proxy;

/// <summary>
/// Reads every route's protection metadata when YARP loads the configuration, so that a bad value stops the start (or
/// a reload) with the route named, instead of answering 503 on its first upload. A protecting route that names no owner
/// source while the active model is owner-keyed is legal (each upload gets 401 <c>owner_required</c>) but rarely meant:
/// it is logged as a warning.
/// </summary>
public sealed partial class RouteMetadataValidator(
    IOptions<ProtectionDefaults> defaults, IOptions<ImagingOptions> imaging, EngineState engine, ILogger<RouteMetadataValidator> logger) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => ValueTask.FromResult(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(route);
        RouteProtectionPolicy policy;
        try
        {
            policy = RouteProtectionPolicy.Parse(route.Metadata, defaults.Value, imaging.Value);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw new InvalidOperationException($"Route '{route.RouteId}' has invalid UploadGuard metadata: {ex.Message}", ex);
        }
        var card = engine.Host.Models.Card;
        if (policy.Enabled && !policy.Owner.NamesOwner && card.Architecture.IsOwnerKeyed)
            LogOwnerless(route.RouteId, card.Version);
        return ValueTask.FromResult(route);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {RouteId} protects uploads but names no owner source (UploadGuard.OwnerSources), and the active model {Version} is owner-keyed: every upload on it will be refused with 401 owner_required")]
    private partial void LogOwnerless(string routeId, string version);
}
