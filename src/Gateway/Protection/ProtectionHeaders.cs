using System.Globalization;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Protection;

/// <summary>
/// Response headers that tell the client what the gateway did to its upload. Two things are kept apart on purpose:
/// whether the images were perturbed within the budget (<see cref="Status"/>), and what protection the active model's
/// card claims (<see cref="Claim"/>); no header says "protected", since a perturbation protects only what a card measured.
/// </summary>
public static class ProtectionHeaders
{
    public const string Status = "X-UploadGuard-Status";
    public const string Count = "X-UploadGuard-Perturbed";
    public const string Epsilon = "X-UploadGuard-Epsilon";
    public const string Model = "X-UploadGuard-Model";
    public const string Claim = "X-UploadGuard-Claim";
    public const string Warning = "X-UploadGuard-Warning";
    public const string Unperturbed = "X-UploadGuard-Unperturbed";
    public const string Job = "X-UploadGuard-Job";

    /// <summary>Largest change handed to the encoder: the exact bound, at most epsilon.</summary>
    public const string LinfBeforeEncoding = "X-UploadGuard-Linf-Before-Encoding";

    /// <summary>Largest change measured on the encoded output after decoding it, by <see cref="LinfDecoder"/>.</summary>
    public const string LinfDecoded = "X-UploadGuard-Linf-Decoded";

    public const string LinfDecoder = "X-UploadGuard-Linf-Decoder";

    /// <summary>
    /// For JPEG output where the gateway has libjpeg: the largest change libjpeg's decoder measures (its decoding of the
    /// output against its decoding of the source). Absent otherwise.
    /// </summary>
    public const string LinfDecodedLibjpeg = "X-UploadGuard-Linf-Decoded-Libjpeg";

    /// <summary>The id of the secret the owner's key came from (owner-keyed models only); never the key or the owner.</summary>
    public const string OwnerKeyId = "X-UploadGuard-Owner-Key-Id";

    /// <summary>PSNR of one perturbed image in dB, or "identical".</summary>
    public const string Psnr = "X-UploadGuard-Psnr";

    /// <summary>One perturbed image's output bytes over its input bytes.</summary>
    public const string SizeRatio = "X-UploadGuard-Size-Ratio";

    /// <summary>How strongly the owner's texture matched the photo it was taken off.</summary>
    public const string Correlation = "X-UploadGuard-Correlation";

    /// <summary>Every image was perturbed within the budget (what that protects is <see cref="Claim"/>'s business).</summary>
    public const string Perturbed = "perturbed";

    /// <summary>At least one image went on as it came (fail-open); <see cref="Unperturbed"/> names them and why.</summary>
    public const string NotPerturbed = "unperturbed";

    public const string NoImages = "no-images";

    /// <summary>The key holder took the owner's perturbation off (<c>POST /admin/unprotect</c>).</summary>
    public const string Removed = "removed";

    public static void Apply(IHeaderDictionary headers, UploadOutcome outcome, int? epsilon, ModelCard card, string jobId)
    {
        // What the images got (the engine resolved an unset budget against the model it used), else what they would have.
        int budget = outcome.Reports.Count > 0 ? outcome.Reports.Max(r => r.Epsilon) : ProtectionOptions.EpsilonFor(epsilon, card);
        headers[Job] = jobId;
        headers[Status] = outcome.Unprotected.Count > 0 ? NotPerturbed : outcome.Reports.Count > 0 ? Perturbed : NoImages;
        headers[Count] = outcome.Reports.Count.ToString(CultureInfo.InvariantCulture);
        if (outcome.Reports.Count > 0)
        {
            headers[Epsilon] = budget.ToString(CultureInfo.InvariantCulture);
            headers[Model] = string.Join(",", outcome.Reports.Select(r => r.ModelVersion).Distinct());
            ApplyLinf(headers, outcome.Reports.Max(r => r.LinfBeforeEncoding), outcome.Reports.Max(r => r.LinfDecoded),
                outcome.Reports.Max(r => r.LinfDecodedLibjpeg));
            if (outcome.Reports.Select(r => r.OwnerKeyId).OfType<string>().Distinct().ToList() is { Count: > 0 } keyIds)
                headers[OwnerKeyId] = string.Join(",", keyIds);
        }
        if (outcome.Unprotected.Count > 0)
            headers[Unperturbed] = string.Join("; ", outcome.Unprotected.Select(Uri.EscapeDataString));
        ApplyClaim(headers, card.ClaimAt(budget), card.Warning);
    }

    /// <summary>The headers of one perturbed image (<c>/api/protect</c>), from its report.</summary>
    public static void Apply(IHeaderDictionary headers, ProtectionReport report, string jobId)
    {
        headers[Job] = jobId;
        headers[Status] = Perturbed;
        headers[Count] = "1";
        headers[Epsilon] = report.Epsilon.ToString(CultureInfo.InvariantCulture);
        headers[Model] = report.ModelVersion;
        if (report.OwnerKeyId is not null) headers[OwnerKeyId] = report.OwnerKeyId;
        ApplyLinf(headers, report.LinfBeforeEncoding, report.LinfDecoded, report.LinfDecodedLibjpeg);
        ApplyClaim(headers, report.Claim, report.Warning);
        headers[Psnr] = report.PsnrDb?.ToString("0.00", CultureInfo.InvariantCulture) ?? "identical";
        headers[SizeRatio] = report.SizeRatio.ToString("0.000", CultureInfo.InvariantCulture);
    }

    /// <summary>The headers of a photo whose owner's perturbation the key holder took off (<c>/admin/unprotect</c>).</summary>
    public static void Apply(IHeaderDictionary headers, UnprotectResult result)
    {
        headers[Status] = Removed;
        headers[Model] = result.ModelVersion;
        headers[OwnerKeyId] = result.KeyId;
        headers[Correlation] = result.Correlation.ToString("0.000", CultureInfo.InvariantCulture);
    }

    private static void ApplyLinf(IHeaderDictionary headers, int beforeEncoding, int decoded, int? decodedByLibjpeg)
    {
        headers[LinfBeforeEncoding] = beforeEncoding.ToString(CultureInfo.InvariantCulture);
        headers[LinfDecoded] = decoded.ToString(CultureInfo.InvariantCulture);
        headers[LinfDecoder] = ImageCodec.VerificationDecoder;
        if (decodedByLibjpeg is { } libjpeg)
            headers[LinfDecodedLibjpeg] = libjpeg.ToString(CultureInfo.InvariantCulture);
    }

    private static void ApplyClaim(IHeaderDictionary headers, ClaimStatus claim, string? warning)
    {
        headers[Claim] = claim.Token();
        if (warning is not null)
            headers[Warning] = warning;
    }
}
