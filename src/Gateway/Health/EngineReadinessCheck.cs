using Microsoft.Extensions.Diagnostics.HealthChecks;
using UploadGuard.Gateway.Engine;

namespace UploadGuard.Gateway.Health;

/// <summary>Ready once the model is loaded and a probe image has gone through the engine.</summary>
public sealed class EngineReadinessCheck(EngineState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var card = state.Host.Models.Card;
        var data = new Dictionary<string, object> { ["model"] = card.Version, ["trained"] = card.Trained };
        return Task.FromResult(state.IsWarm
            ? HealthCheckResult.Healthy("engine warm", data)
            : HealthCheckResult.Unhealthy("engine warming up", data: data));
    }
}
