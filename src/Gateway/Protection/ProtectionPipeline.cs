using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Hubs;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Telemetry;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Protection;

/// <summary>
/// One upload's life, the same through a proxied route and <c>/api/protect</c>: its job and progress, its owner's key,
/// its body read and parsed, its images protected, its report headers, and each refusal counted once on the request's
/// <c>path</c>, published to the job and answered as problem+json. The entry point builds the
/// <see cref="ProtectionRequest"/> and delivers what comes out: forwards it upstream, or answers with the image.
/// </summary>
public sealed partial class ProtectionPipeline(
    ResilientProtection protection, UploadProcessor processor, JobTracker jobs, OwnerResolver owners, ILogger<ProtectionPipeline> logger)
{
    /// <summary>Refuses a request before it becomes a job: counted once on <paramref name="metricPath"/>, answered as problem+json.</summary>
    public static async Task RefuseAsync(HttpContext context, string metricPath, UploadRefusedException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        GatewayMetrics.CountFailure(refusal.Reason, metricPath);
        await ProblemResponses.WriteAsync(context, refusal);
    }

    /// <summary>
    /// Protects the request's images and hands them to <paramref name="deliver"/>, which answers the client and returns
    /// the refusal to answer with instead when it could not (the upstream failed), else null.
    /// </summary>
    /// <returns>The refusal the request got instead of being delivered; null once delivered, or when the client went away.</returns>
    public async Task<UploadRefusedException?> RunAsync(ProtectionRequest request, Func<ProtectedUpload, Task<UploadRefusedException?>> deliver)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(deliver);
        var context = request.Context;
        var jobId = jobs.Start(request.User, request.RequestedJob);
        await jobs.PublishAsync(jobId, JobStage.Received);
        // Once an image is in hand, a refusal is that image's and counts as a refused image too.
        bool imageInHand = false;
        try
        {
            // Before the body is read: a request refused for its owner (missing, a bad token, an untrusted header) is
            // refused in either fail mode, since it is the request that is wrong, not the protection that failed.
            var owner = await owners.ResolveKeyAsync(context, request.Owner, request.OwnerHeader);
            if (request.Invalid is { } invalid)
                throw invalid;
            var raw = await RequestBodyReader.ReadAsync(context, request.MaxRequestBytes, request.Head);
            request.Buffered?.Invoke(raw.Length);
            var body = UploadBody.Read(raw, context.Request.ContentType, request.FailMode == FailMode.Closed);

            UploadOutcome outcome;
            string? fileName = null;
            if (request.SingleImage is { } format)
            {
                (var image, fileName) = body.SingleImage();
                imageInHand = true;
                var result = await protection.ProtectAsync(image, fileName ?? "body", request.Settings, new JobProgress(jobs, jobId), context.RequestAborted, format, owner);
                GatewayMetrics.CountPerturbed(result, request.MetricPath);
                outcome = new UploadOutcome(result.Data, "image/" + result.Report.OutputFormat.ToString().ToLowerInvariant(), [result.Report], []);
            }
            else
            {
                imageInHand = true;   // the processor refuses only for an image
                outcome = await processor.ProcessAsync(body, request.Settings, request.FailMode, jobId, request.MetricPath, context.RequestAborted, owner);
            }
            imageInHand = false;
            if (outcome.TouchedImages)
                await jobs.PublishAsync(jobId, JobStage.Encoded);

            // Set as the answer starts: over the upstream's own headers, and on a problem answered in its place.
            var card = protection.Engine.ActiveCard;
            context.Response.OnStarting(() =>
            {
                if (request.SingleImage is null)
                    ProtectionHeaders.Apply(context.Response.Headers, outcome, request.Settings.Epsilon, card, jobId);
                else
                    ProtectionHeaders.Apply(context.Response.Headers, outcome.Reports[0], jobId);
                return Task.CompletedTask;
            });

            if (await deliver(new ProtectedUpload(jobId, outcome, fileName)) is { } failure)
            {
                await FailAsync(context, request.MetricPath, jobId, failure);
                return null;
            }
            if (outcome.Unprotected.Count > 0)
                await jobs.PublishAsync(jobId, JobStage.Done, ProtectionHeaders.NotPerturbed, string.Join("; ", outcome.Unprotected));
            else
                await jobs.PublishAsync(jobId, JobStage.Done);
            return null;
        }
        catch (Exception ex) when (UploadRefusals.TryFrom(ex, null, out var refusal))
        {
            if (imageInHand || refusal.InnerException is ImageRejectedException)
                GatewayMetrics.CountImage("refused", request.MetricPath);
            await FailAsync(context, request.MetricPath, jobId, refusal);
            return refusal;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            await jobs.PublishAsync(jobId, JobStage.Failed, "client_disconnected");
            return null;
        }
    }

    private async Task FailAsync(HttpContext context, string metricPath, string jobId, UploadRefusedException refusal)
    {
        GatewayMetrics.CountFailure(refusal.Reason, metricPath);
        LogRefused(jobId, refusal.Status, refusal.Reason, refusal.Part);
        await jobs.PublishAsync(jobId, JobStage.Failed, refusal.Reason, refusal.Message);
        // An upstream that failed once its answer had begun leaves nothing to answer in its place.
        if (!context.Response.HasStarted)
            await ProblemResponses.WriteAsync(context, refusal, jobId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} refused with {Status} {Reason} (part {Part})")]
    private partial void LogRefused(string jobId, int status, string reason, string? part);
}
