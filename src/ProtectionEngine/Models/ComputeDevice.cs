using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>Picks the torch device. The CUDA build uses the GPU when one is visible; nothing else differs.</summary>
public static class ComputeDevice
{
    /// <param name="preference"><c>auto</c> (default), <c>cpu</c> or <c>cuda</c>.</param>
    public static Device Select(string? preference = null) => (preference ?? "auto").ToLowerInvariant() switch
    {
        "auto" => cuda.is_available() ? CUDA : CPU,
        "cpu" => CPU,
        "cuda" => cuda.is_available() ? CUDA : throw new InvalidOperationException("CUDA was requested but no CUDA device is available to this build."),
        var other => throw new ArgumentException($"Unknown device '{other}'; use auto, cpu or cuda.", nameof(preference)),
    };
}
