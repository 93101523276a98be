namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>Milliseconds spent in each stage of one protection.</summary>
public sealed record StageTimings(
    double DecodeMs,
    double QueueMs,
    double GeneratorMs,
    double ApplyMs,
    double EncodeMs,
    double VerifyMs,
    double TotalMs);
