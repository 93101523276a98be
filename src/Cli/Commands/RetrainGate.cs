using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Surrogate;

namespace UploadGuard.Cli.Commands;

/// <summary>The admin retraining's gate: a freshly trained version against the registry's active one (docs/admin.md).</summary>
internal static class RetrainGate
{
    /// <summary>Added to the run's seed so the gate measures other photos than the ones training started with.</summary>
    private const int HeldOutSeedOffset = 7919;

    public static GateDecision Run(RetrainSettings settings, ModelCard candidateCard)
    {
        var photos = ImageDatasetLoader.Load(new ImageDatasetOptions
        {
            Source = settings.DataSource,
            MaxImages = settings.GateSampleSize,
            ImageSize = ProtectionGate.ImageSize,
            Seed = settings.Seed + HeldOutSeedOffset,
        });
        using var surrogate = ResNet18Surrogate.LoadPretrained();
        var gate = new ProtectionGate(surrogate);
        var device = ComputeDevice.Select(settings.Device);
        var registry = new ModelRegistry(settings.ModelsPath);
        using var candidate = registry.Load(candidateCard.Version, device);
        var measuredCandidate = gate.Measure(candidate, photos, settings.Epsilon);
        // An operator's fresh registry may have nothing active yet: then there is nothing to beat.
        GateMeasurement? measuredActive = null;
        if (File.Exists(Path.Combine(registry.Root, ModelRegistry.IndexFileName)))
        {
            using var active = registry.LoadActive(device);
            measuredActive = gate.Measure(active, photos, settings.Epsilon);
        }
        return ProtectionGate.Decide(measuredCandidate, measuredActive, settings.GateMinimumPsnr);
    }
}
