using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>How every victim network here takes its images: the evaluation's victims and training's stand-ins alike.</summary>
public static class VictimInput
{
    private const float Mean = 0.5f;
    private const float Scale = 4f;

    /// <summary>Images in [0, 1] to the victims' input scale.</summary>
    public static Tensor Normalise(Tensor images) => (images - Mean) * Scale;
}
