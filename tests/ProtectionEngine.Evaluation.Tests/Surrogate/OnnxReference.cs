using Microsoft.ML.OnnxRuntime;
using UploadGuard.ProtectionEngine.Surrogate;

namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

/// <summary>
/// The package's own two ONNX models run by ONNX Runtime, chained as ML.NET chains them: ResNetPreprocess.onnx
/// (RGB to BGR, minus the mean image) feeds ResNet18.onnx. The port is compared with this, not with a re-statement of
/// its own maths.
/// </summary>
public sealed class OnnxReference : IDisposable
{
    private static readonly long[] InputShape = [1, 3, 224, 224];

    private readonly InferenceSession preprocess;
    private readonly InferenceSession network;

    public OnnxReference(ResNet18OnnxFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        preprocess = new InferenceSession(files.Preprocess);
        network = new InferenceSession(files.Model);
    }

    /// <summary>Features [512] of one RGB 0..255 image in CHW order, 224x224.</summary>
    public float[] Features(float[] rgbChw)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(rgbChw, InputShape);
        using var prepared = preprocess.Run(new RunOptions(), ["OriginalInput"], [input], ["PreprocessedInput"]);
        using var output = network.Run(new RunOptions(), ["Input247"], [prepared[0]], ["Pooling395_Output_0"]);
        return output[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        preprocess.Dispose();
        network.Dispose();
    }
}
