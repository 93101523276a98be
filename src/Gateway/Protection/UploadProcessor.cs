using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Hubs;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Telemetry;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Protection;

/// <summary>
/// Finds the images in a buffered request body (multipart file parts or a raw image body, by magic bytes), protects
/// them together so the engine can batch them, and builds the body to forward. In fail-closed mode any image that
/// cannot be protected refuses the whole request; in fail-open mode it is forwarded unchanged and reported.
/// </summary>
public sealed class UploadProcessor(ResilientProtection protection, JobTracker jobs)
{
    /// <param name="metricPath">The <c>path</c> label its images and failures are counted under.</param>
    /// <param name="owner">The owner's key every image is protected with; null when the request names no owner.</param>
    /// <exception cref="UploadRefusedException">Fail-closed: the first image that cannot be protected (not yet counted).</exception>
    public async Task<UploadOutcome> ProcessAsync(
        UploadBody body, ProtectionSettings settings, FailMode failMode, string jobId, string metricPath, CancellationToken cancellationToken,
        OwnerKey? owner = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var progress = new JobProgress(jobs, jobId);
        var candidates = body.Candidates().Select(c => (c.Index, c.Name, c.Content, Verdict: Classify(c.Content.Span, c.ContentType, c.FileName)));
        var results = await ProtectAllAsync(candidates, settings, failMode, owner, progress, cancellationToken);

        var replacements = new Dictionary<int, byte[]>();
        var reports = new List<ProtectionReport>();
        var unprotected = new List<string>();
        foreach (var (index, name, result) in results.OrderBy(r => r.Index))
        {
            if (result.Refusal is { } refusal)
            {
                if (failMode == FailMode.Closed)
                    throw refusal;   // counted once, the image and the failure, where the pipeline refuses the request
                GatewayMetrics.CountFailure(refusal.Reason, metricPath);
                GatewayMetrics.CountImage("unperturbed", metricPath);
                unprotected.Add($"{name}: {refusal.Reason}");
                continue;
            }
            var protectedImage = result.Protected!;
            replacements[index] = protectedImage.Data;
            reports.Add(protectedImage.Report);
            GatewayMetrics.CountPerturbed(protectedImage, metricPath);
        }

        // A multipart body always goes out framed by the gateway, so the upstream can only find the parts inspected here.
        if (body.Form is { } form)
            return new UploadOutcome(form.Write(replacements, out var framedType), framedType, reports, unprotected);
        return new UploadOutcome(replacements.TryGetValue(0, out var raw) ? raw : body.Raw, body.ContentType, reports, unprotected);
    }

    /// <summary>
    /// Null for content that neither claims nor sniffs as an image (passed through untouched); otherwise the refusal to
    /// use if it cannot be protected, or <see cref="Verdict.Protect"/>.
    /// </summary>
    public static Verdict? Classify(ReadOnlySpan<byte> content, string? contentType, string? fileName)
    {
        var header = content[..Math.Min(content.Length, ImageFormatSniffer.HeaderLength)];
        if (ImageFormatSniffer.DetectSupported(header) is not null) return Verdict.Protect;
        if (ImageFormatSniffer.DetectUnsupported(header) is { } format)
            return new Verdict(ImageRejectedException.UnsupportedFormat(format));
        if (!ImageClaim.Claims(contentType, fileName)) return null;
        return new Verdict(content.IsEmpty
            ? new ImageRejectedException(ImageRejectionReason.Empty, "The file is empty.")
            : new ImageRejectedException(ImageRejectionReason.Undecodable, "It is declared as an image but is not a JPEG, PNG or WebP image."));
    }

    /// <summary>
    /// Every image's result. Refusals that need no engine (the image's bytes, the route's caps) come first; in fail-closed
    /// mode one of them refuses the request before anything reaches the engine. The images left are admitted together
    /// (<see cref="ResilientProtection.AdmitAsync"/>): all of them get engine slots, or none does and each carries the
    /// 503 <c>engine_busy</c> refusal, so a request is never refused after some of its images used engine time.
    /// </summary>
    private async Task<List<(int Index, string Name, ImageResult Result)>> ProtectAllAsync(
        IEnumerable<(int Index, string Name, ReadOnlyMemory<byte> Content, Verdict? Verdict)> candidates, ProtectionSettings settings, FailMode failMode,
        OwnerKey? owner, IProgress<ProtectionProgress> progress, CancellationToken cancellationToken)
    {
        var results = new List<(int Index, string Name, ImageResult Result)>();
        var engineWork = new List<(int Index, string Name, byte[] Content)>();
        long pixels = 0;
        foreach (var (index, name, content, verdict) in candidates)
        {
            if (verdict is null) continue;
            try
            {
                if (verdict.Rejection is { } rejection)
                    throw UploadRefusals.From(rejection, name);
                var image = content.ToArray();
                pixels += protection.CheckCaps(image, name, settings);
                engineWork.Add((index, name, image));
            }
            catch (UploadRefusedException refusal)
            {
                results.Add((index, name, new ImageResult(null, refusal)));
            }
        }
        if (engineWork.Count == 0 || (results.Count > 0 && failMode == FailMode.Closed))
            return results;

        EngineAdmission admission;
        try
        {
            admission = await protection.AdmitAsync(engineWork.Count, pixels, engineWork[0].Name, cancellationToken);
        }
        catch (UploadRefusedException busy)
        {
            results.AddRange(engineWork.Select(w => (w.Index, w.Name, new ImageResult(null,
                new UploadRefusedException(busy.Status, busy.Reason, busy.Message, w.Name, busy.RetryAfter, busy.InnerException)))));
            return results;
        }
        using (admission)
        {
            results.AddRange(await Task.WhenAll(engineWork.Select(async w => (w.Index, w.Name, await TryProtectAsync(admission, w.Content, w.Name, settings, owner, progress, cancellationToken)))));
        }
        return results;
    }

    private async Task<ImageResult> TryProtectAsync(
        EngineAdmission admission, byte[] content, string name, ProtectionSettings settings, OwnerKey? owner, IProgress<ProtectionProgress> progress,
        CancellationToken cancellationToken)
    {
        try
        {
            return new(await protection.ProtectAdmittedAsync(admission, content, name, settings, progress, cancellationToken, owner: owner), null);
        }
        catch (UploadRefusedException ex)
        {
            return new(null, ex);
        }
    }

    private sealed record ImageResult(ProtectionResult? Protected, UploadRefusedException? Refusal);

    /// <summary>How a candidate image is handled: protected, or refused with a known rejection.</summary>
    public sealed record Verdict(ImageRejectedException? Rejection)
    {
        public static Verdict Protect { get; } = new((ImageRejectedException?)null);
    }
}
