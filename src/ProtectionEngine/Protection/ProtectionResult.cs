namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>The protected, encoded image and its report.</summary>
public sealed record ProtectionResult(byte[] Data, ProtectionReport Report);
