namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>Reported as an image reaches each stage.</summary>
public readonly record struct ProtectionProgress(ProtectionStage Stage, TimeSpan Elapsed);
