using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Engine;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// Follows the registry index: when another instance (or an operator) activates a version in a shared registry, this
/// instance loads and serves it too. Does nothing when the configuration pins a version.
/// </summary>
public sealed partial class RegistryWatcher(EngineState state, ModelActivation activation, IOptions<EngineOptions> engine, ILogger<RegistryWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!string.IsNullOrEmpty(engine.Value.ModelVersion))
            return;
        using var timer = new PeriodicTimer(engine.Value.RegistryPollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var wanted = state.Host.Registry.ActiveVersion;
                if (wanted != state.Host.Models.Card.Version)
                    activation.Activate(wanted, writeIndex: false);
            }
            catch (Exception ex) when (ex is ModelIntegrityException or IOException)
            {
                LogFailed(ex.Message);   // keep serving the current version
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not follow the registry's active version: {Problem}")]
    private partial void LogFailed(string problem);
}
