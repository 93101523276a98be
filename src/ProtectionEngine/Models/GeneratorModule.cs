using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// What the engine runs on a working canvas: RGB in [0, 1], [N, 3, S, S], to a perturbation in [-1, 1] of the same
/// shape that the caller scales by epsilon. Its saved state is what a model version's weights file holds.
/// </summary>
public abstract class GeneratorModule(string name) : Module<Tensor, Tensor>(name)
{
    public abstract GeneratorArchitecture Architecture { get; }

    /// <summary>The number of values in the weights file (the card records it and loading checks it).</summary>
    public abstract long ParameterCount { get; }
}
