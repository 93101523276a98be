namespace UploadGuard.ProtectionEngine.Models;

/// <summary>Where a model's weights are and what they must hash to.</summary>
/// <param name="File">File name inside the version's folder (no directories).</param>
/// <param name="Format">Always <c>safetensors</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the whole file.</param>
public sealed record ModelWeightsFile(string File, string Format, string Sha256);
