using TorchSharp;
using TorchSharp.Modules;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// Keeps a long <see cref="VictimTrainer.Fit"/> (a crafting network on thousands of photos takes hours on a CPU)
/// resumable: the model and optimiser after every finished epoch, so that a stopped run continues from the last one.
/// </summary>
public interface IEpochCheckpoints
{
    /// <summary>Loads the latest saved epoch into a freshly built model and its optimiser.</summary>
    /// <returns>That epoch as it was reported, or null when nothing was saved.</returns>
    VictimEpoch? Restore(torch.nn.Module model, SGD optimizer);

    void Save(VictimEpoch epoch, torch.nn.Module model, SGD optimizer);
}
