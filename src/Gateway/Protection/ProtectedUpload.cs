
namespace UploadGuard.Gateway.Protection;

/// <summary>What the <see cref="ProtectionPipeline"/> made of an upload, for its entry point to deliver.</summary>
/// <param name="Outcome">The body to deliver, its Content-Type and a report per perturbed image.</param>
/// <param name="FileName">The file name of a one-image request's image, when its part had one.</param>
public sealed record ProtectedUpload(string JobId, UploadOutcome Outcome, string? FileName);
