using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Engine;

/// <summary>The engine the gateway serves with, and whether it has been warmed up.</summary>
public sealed class EngineState(ProtectionEngineHost host)
{
    private volatile bool _warm;

    public ProtectionEngineHost Host { get; } = host;

    public bool IsWarm => _warm;

    public void MarkWarm() => _warm = true;

    public object Describe()
    {
        var card = Host.Models.Card;
        return new
        {
            service = "UploadGuard gateway",
            model = new { card.Version, card.Trained, card.WorkingSize, card.Parameters },
            claimedProtection = card.ClaimedProtection,
            warning = card.Warning,
            ready = IsWarm,
        };
    }
}
