namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>An ONNX file that is truncated, malformed, or uses a feature this project's small reader does not support.</summary>
internal sealed class OnnxFormatException : Exception
{
    public OnnxFormatException()
    {
    }

    public OnnxFormatException(string message) : base(message)
    {
    }

    public OnnxFormatException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
