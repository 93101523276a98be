using System.Globalization;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Proxy;

/// <summary>Response headers that tell the client what the gateway did to its upload.</summary>
public static class ProtectionHeaders
{
    public const string Status = "X-UploadGuard-Status";
    public const string Count = "X-UploadGuard-Protected";
    public const string Epsilon = "X-UploadGuard-Epsilon";
    public const string Model = "X-UploadGuard-Model";
    public const string Warning = "X-UploadGuard-Warning";
    public const string Unprotected = "X-UploadGuard-Unprotected";
    public const string Job = "X-UploadGuard-Job";

    /// <summary>The id of the secret the owner's key came from (owner-keyed models only); never the key or the owner.</summary>
    public const string OwnerKeyId = "X-UploadGuard-Owner-Key-Id";

    public static void Apply(IHeaderDictionary headers, UploadOutcome outcome, int epsilon, ModelCard card, string jobId)
    {
        headers[Job] = jobId;
        headers[Status] = outcome.Unprotected.Count > 0 ? "unprotected" : outcome.Reports.Count > 0 ? "protected" : "no-images";
        headers[Count] = outcome.Reports.Count.ToString(CultureInfo.InvariantCulture);
        if (outcome.Reports.Count > 0)
        {
            headers[Epsilon] = epsilon.ToString(CultureInfo.InvariantCulture);
            headers[Model] = string.Join(",", outcome.Reports.Select(r => r.ModelVersion).Distinct());
            if (outcome.Reports.Select(r => r.OwnerKeyId).OfType<string>().Distinct().ToList() is { Count: > 0 } keyIds)
                headers[OwnerKeyId] = string.Join(",", keyIds);
        }
        if (outcome.Unprotected.Count > 0)
            headers[Unprotected] = string.Join("; ", outcome.Unprotected.Select(Uri.EscapeDataString));
        if (!card.Trained)
            headers[Warning] = ModelCard.UntrainedWarning;
    }
}
