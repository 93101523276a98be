namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>Stages one image passes through, in order.</summary>
public enum ProtectionStage
{
    Received,
    Decoded,
    Queued,
    Protecting,
    Applied,
    Encoded,
    Verified,
}
