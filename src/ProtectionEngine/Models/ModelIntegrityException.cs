namespace UploadGuard.ProtectionEngine.Models;

/// <summary>A model file or card that is missing, malformed, or does not match its recorded SHA-256.</summary>
public sealed class ModelIntegrityException(string message, Exception? inner = null) : Exception(message, inner);
