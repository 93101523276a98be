using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Protection;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Health;

/// <summary>
/// The body of <c>/readyz</c>: a probe only needs the status code (200 ready, 503 not yet), but an operator reading it
/// should see which model serves, whether it is trained and what its card claims, not a bare "Healthy".
/// </summary>
public static class ReadinessResponse
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var state = context.RequestServices.GetRequiredService<EngineState>();
        var card = state.Host.Models.Card;
        var configured = context.RequestServices.GetRequiredService<IOptions<ProtectionDefaults>>().Value.Epsilon;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            engine = state.IsWarm ? "warm" : "warming-up",
            model = new { card.Version, card.Trained, ownerKeyed = card.Architecture.IsOwnerKeyed },
            claimedProtection = card.ClaimedProtection,
            claimEpsilon = card.Trained ? card.Claim?.Epsilon : null,
            defaultEpsilon = ProtectionOptions.EpsilonFor(configured, card),
            warning = card.Warning,
        }, Json));
    }
}
