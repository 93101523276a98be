namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>How far a set of images moved from its reference set.</summary>
/// <param name="PsnrDb">10 log10(255^2 / MSE) over every value of every image; null when nothing changed (infinite).</param>
/// <param name="Ssim">Mean SSIM per image (see <see cref="ImageQuality"/>); null for images under 11 px.</param>
/// <param name="MaxAbsDifference">Largest change of any 8-bit value, in levels.</param>
/// <param name="ChangedFraction">Fraction of 8-bit values that changed at all.</param>
public sealed record ImageQualitySummary(int Size, double? PsnrDb, double? Ssim, int MaxAbsDifference, double ChangedFraction);
