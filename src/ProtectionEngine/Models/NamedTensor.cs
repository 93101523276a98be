namespace UploadGuard.ProtectionEngine.Models;

/// <summary>A float32 tensor held in managed memory, as stored in a weights file.</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[] Data);
