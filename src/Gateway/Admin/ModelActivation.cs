using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Engine;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// Switches the model the engine serves: the version is loaded and verified first, then swapped in atomically (work
/// already holding the old version finishes on it), then written to the registry index so other instances and restarts
/// follow. Rollback is the same call with the previous version.
/// </summary>
public sealed partial class ModelActivation(EngineState state, IOptions<EngineOptions> engine, ILogger<ModelActivation> logger)
{
    private readonly Lock _gate = new();

    public ModelCard Activate(string version, bool writeIndex = true)
    {
        lock (_gate)
        {
            var host = state.Host;
            var model = host.Registry.Load(version, ComputeDevice.Select(engine.Value.Device));
            var previous = host.Models.Card.Version;
            host.Models.Activate(model);
            if (writeIndex)
                host.Registry.SetActive(version);
            LogActivated(version, previous);
            return model.Card;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Version} is now active (was {Previous})")]
    private partial void LogActivated(string version, string previous);
}
