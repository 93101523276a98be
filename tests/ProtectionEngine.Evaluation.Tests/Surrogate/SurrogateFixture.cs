using UploadGuard.ProtectionEngine.Surrogate;

namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

/// <summary>The port and the ONNX Runtime reference, loaded once per test class (each load parses 63 MB).</summary>
public sealed class SurrogateFixture : IDisposable
{
    public SurrogateFixture()
    {
        Files = ResNet18OnnxFiles.Locate();
        Model = ResNet18Surrogate.LoadPretrained();
        Reference = new OnnxReference(Files);
    }

    public ResNet18OnnxFiles Files { get; }

    public ResNet18Surrogate Model { get; }

    public OnnxReference Reference { get; }

    public void Dispose()
    {
        Model.Dispose();
        Reference.Dispose();
    }
}
