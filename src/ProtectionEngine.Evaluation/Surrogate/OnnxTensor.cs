namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>A float32 initializer read from an ONNX graph: its name, its dimensions and its values in row-major order.</summary>
internal sealed record OnnxTensor(string Name, IReadOnlyList<long> Dims, float[] Data)
{
    public string ShapeText => $"[{string.Join(", ", Dims)}]";
}
