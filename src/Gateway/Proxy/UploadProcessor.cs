using Microsoft.Net.Http.Headers;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Telemetry;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Proxy;

/// <summary>
/// Finds the images in a buffered request body (multipart file parts or a raw image body, by magic bytes), protects
/// them together so the engine can batch them, and builds the body to forward. In fail-closed mode any image that
/// cannot be protected refuses the whole request; in fail-open mode it is forwarded unchanged and reported.
/// </summary>
public sealed class UploadProcessor(ResilientProtection protection, JobTracker jobs)
{
    private const string BodyPartName = "body";

    public async Task<UploadOutcome> ProcessAsync(byte[] body, string? contentType, RouteProtectionPolicy policy, string jobId, CancellationToken cancellationToken)
    {
        // Every multipart type, not only form-data: multipart/mixed or /related can carry files just the same, and as a
        // single opaque "body" their images used to go upstream unprotected even on fail-closed routes.
        bool multipart = MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            && mediaType.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);

        List<(int Index, string Name, byte[] Content, string? ContentType, string? FileName)> candidates;
        MultipartBody? parsed = null;
        if (multipart)
        {
            var boundary = HeaderUtilities.RemoveQuotes(mediaType!.Boundary).Value
                ?? throw new MalformedMultipartException($"{mediaType.MediaType} without a boundary.");
            parsed = MultipartBody.Parse(body, boundary);
            candidates = parsed.Parts
                .Select(p => (p.Index, p.Name, body.AsSpan(p.BodyStart, p.Length).ToArray(), p.ContentType, p.FileName))
                .ToList();
        }
        else
        {
            candidates = [(0, BodyPartName, body, contentType, null)];
        }

        var progress = new JobProgress(jobs, jobId);
        var work = candidates
            .Select(c => (c.Index, c.Name, Verdict: Classify(c.Content, c.ContentType, c.FileName), c.Content))
            .Where(c => c.Verdict is not null)
            .Select(async c => (c.Index, c.Name, Result: await TryProtectAsync(c.Content, c.Name, c.Verdict!, policy, progress, cancellationToken)))
            .ToList();
        var results = await Task.WhenAll(work);

        var replacements = new Dictionary<int, byte[]>();
        var reports = new List<ProtectionReport>();
        var unprotected = new List<string>();
        foreach (var (index, name, result) in results.OrderBy(r => r.Index))
        {
            if (result.Refusal is { } refusal)
            {
                GatewayMetrics.Failures.Add(1, new KeyValuePair<string, object?>("reason", refusal.Reason));
                if (policy.FailMode == FailMode.Closed)
                {
                    GatewayMetrics.Images.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
                    throw refusal;
                }
                GatewayMetrics.Images.Add(1, new KeyValuePair<string, object?>("outcome", "unprotected"));
                unprotected.Add($"{name}: {refusal.Reason}");
                continue;
            }
            var protectedImage = result.Protected!;
            replacements[index] = protectedImage.Data;
            reports.Add(protectedImage.Report);
            GatewayMetrics.Images.Add(1, new KeyValuePair<string, object?>("outcome", "protected"));
            GatewayMetrics.Bytes.Add(protectedImage.Report.InputBytes, new KeyValuePair<string, object?>("direction", "in"));
            GatewayMetrics.Bytes.Add(protectedImage.Data.Length, new KeyValuePair<string, object?>("direction", "out"));
            RecordStages(protectedImage.Report.Timings);
        }

        var forwarded = parsed is null
            ? (replacements.TryGetValue(0, out var raw) ? raw : body)
            : parsed.Rewrite(replacements);
        return new UploadOutcome(forwarded, reports, unprotected);
    }

    /// <summary>
    /// Null for content that neither claims nor sniffs as an image (passed through untouched); otherwise the refusal to
    /// use if it cannot be protected, or <see cref="Verdict.Protect"/>.
    /// </summary>
    public static Verdict? Classify(ReadOnlySpan<byte> content, string? contentType, string? fileName)
    {
        var header = content[..Math.Min(content.Length, ImageFormatSniffer.HeaderLength)];
        if (ImageFormatSniffer.DetectSupported(header) is not null) return Verdict.Protect;
        if (ImageFormatSniffer.IsUnsupportedImage(header))
            return new Verdict(new ImageRejectedException(ImageRejectionReason.UnsupportedFormat, "This image format cannot be protected; send JPEG, PNG or WebP."));
        if (!ImageClaim.Claims(contentType, fileName)) return null;
        return new Verdict(content.IsEmpty
            ? new ImageRejectedException(ImageRejectionReason.Empty, "The file is empty.")
            : new ImageRejectedException(ImageRejectionReason.Undecodable, "It is declared as an image but is not a JPEG, PNG or WebP image."));
    }

    private async Task<(ProtectionResult? Protected, UploadRefusedException? Refusal)> TryProtectAsync(
        byte[] content, string name, Verdict verdict, RouteProtectionPolicy policy, IProgress<ProtectionProgress> progress, CancellationToken cancellationToken)
    {
        try
        {
            if (verdict.Rejection is { } rejection)
                throw new UploadRefusedException(ResilientProtection.StatusOf(rejection.Reason), rejection.ReasonCode, $"'{name}': {rejection.Message}", name);
            return (await protection.ProtectAsync(content, name, policy, progress, cancellationToken), null);
        }
        catch (UploadRefusedException ex)
        {
            return (null, ex);
        }
    }

    private static void RecordStages(StageTimings t)
    {
        foreach (var (stage, ms) in new[] { ("decode", t.DecodeMs), ("queue", t.QueueMs), ("generator", t.GeneratorMs), ("apply", t.ApplyMs), ("encode", t.EncodeMs), ("verify", t.VerifyMs) })
            GatewayMetrics.StageDuration.Record(ms / 1000, new KeyValuePair<string, object?>("stage", stage));
    }

    /// <summary>How a candidate image is handled: protected, or refused with a known rejection.</summary>
    public sealed record Verdict(ImageRejectedException? Rejection)
    {
        public static Verdict Protect { get; } = new((ImageRejectedException?)null);
    }
}
