using UploadGuard.ProtectionEngine.Surrogate;

namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

/// <summary>The pretrained surrogate, loaded once for <see cref="SharedSurrogateGroup"/> (each load parses 63 MB of ONNX).</summary>
public sealed class PretrainedSurrogateFixture : IDisposable
{
    public ResNet18Surrogate Model { get; } = ResNet18Surrogate.LoadPretrained();

    public void Dispose() => Model.Dispose();
}
