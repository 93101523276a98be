using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Hubs;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Security;
using UploadGuard.Gateway.Telemetry;
using UploadGuard.ProtectionEngine.Imaging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace UploadGuard.Gateway.Proxy;

/// <summary>
/// Runs inside YARP's proxy pipeline: for routes whose metadata turns protection on, hands POST/PUT/PATCH bodies that
/// hold images to the <see cref="ProtectionPipeline"/>, forwards the rewritten body with a correct Content-Length, and
/// hands upstream failures back to it as refusals. Nothing is forwarded when a fail-closed refusal happens.
/// </summary>
public sealed partial class UploadProtectionMiddleware(
    RequestDelegate next,
    ProtectionPipeline pipeline,
    JobTracker jobs,
    IOptions<ProtectionDefaults> defaults,
    IOptions<ImagingOptions> imaging,
    ILogger<UploadProtectionMiddleware> logger)
{
    private readonly ConditionalWeakTable<RouteConfig, RouteProtectionPolicy> _policies = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        // UseAuthentication already read our token; it and our job header are never sent upstream. The client user owns the
        // job (who may follow its progress); the photos' owner, whose key protects them, is resolved separately below.
        var user = context.User.Identity?.AuthenticationType == ClientTokenAuthenticationHandler.SchemeName ? context.User.Identity.Name : null;
        var requestedJob = context.Request.Headers[ProtectionHeaders.Job].ToString();
        ClientTokenAuthenticationHandler.RemoveTokens(context.Request);
        context.Request.Headers.Remove(ProtectionHeaders.Job);

        RouteProtectionPolicy policy;
        try
        {
            policy = _policies.GetValue(route, r => RouteProtectionPolicy.Parse(r.Metadata, defaults.Value, imaging.Value));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            LogBadRoute(route.RouteId, ex.Message);
            await ProblemResponses.WriteAsync(context, new UploadRefusedException(503, "route_misconfigured", "This route's protection settings are invalid."));
            return;
        }
        // Taken off before anything can be forwarded, even a body that streams through: the owner id never goes upstream.
        var ownerHeader = OwnerResolver.TakeHeader(context.Request, policy.Owner);

        if (!policy.Enabled || !(HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method)))
        {
            await next(context);
            return;
        }

        // A compressed body cannot be inspected, and the upstream may well inflate it into an image: fail-closed routes
        // refuse it rather than forward it unseen (fail-open routes pass it through like any body that is not an image).
        if (policy.FailMode == FailMode.Closed && IsEncoded(context.Request))
        {
            var refusal = new UploadRefusedException(StatusCodes.Status415UnsupportedMediaType, "unsupported_content_encoding",
                "Uploads to this route must not be compressed (Content-Encoding), so that their images can be protected.");
            GatewayMetrics.Uploads.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            await ProtectionPipeline.RefuseAsync(context, GatewayMetrics.ProxyPath, refusal);
            return;
        }

        // Only multipart bodies and bodies that claim or sniff as images are buffered; anything else streams through. A
        // Content-Type the strict parser cannot read is buffered too on fail-closed routes, where reading it refuses it.
        byte[]? head = null;
        var contentType = context.Request.ContentType;
        bool unreadableType = !string.IsNullOrEmpty(contentType) && !StrictMediaType.TryParse(contentType, out _);
        if (!StrictMediaType.MentionsMultipart(contentType) && !(unreadableType && policy.FailMode == FailMode.Closed))
        {
            head = await RequestBodyReader.PeekAsync(context, ImageFormatSniffer.HeaderLength);
            // Classify covers both: a body that sniffs as an image, and one that claims to be one.
            if (UploadProcessor.Classify(head, contentType, fileName: null) is null)
            {
                context.Request.Body = new PrefixedStream(head, context.Request.Body);
                await next(context);
                return;
            }
        }

        GatewayMetrics.UploadsInFlight.Add(1);
        long held = 0;
        try
        {
            var request = new ProtectionRequest(context, GatewayMetrics.ProxyPath, policy.FailMode, policy.Settings, policy.MaxRequestBytes, policy.Owner,
                ownerHeader, user, requestedJob)
            {
                Head = head,
                Buffered = bytes => GatewayMetrics.BufferedBytes.Add(held = bytes),
            };
            if (await pipeline.RunAsync(request, upload => ForwardAsync(context, upload)) is not null)
                GatewayMetrics.Uploads.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
        }
        finally
        {
            // Whatever happened (refusal, upstream failure, the client going away), nothing stays counted as held.
            GatewayMetrics.BufferedBytes.Add(-held);
            GatewayMetrics.UploadsInFlight.Add(-1);
        }
    }

    /// <summary>Forwards the protected body; the refusal to answer with when the upstream failed, else null.</summary>
    private async Task<UploadRefusedException?> ForwardAsync(HttpContext context, ProtectedUpload upload)
    {
        var outcome = upload.Outcome;
        // The body was consumed here: forward the gateway's own body with its type, an exact length and no 100-continue dance.
        context.Request.Body = new MemoryStream(outcome.Body, writable: false);
        context.Request.ContentLength = outcome.Body.Length;
        context.Request.ContentType = outcome.ContentType;
        context.Request.Headers.Remove("Transfer-Encoding");
        context.Request.Headers.Remove("Expect");

        var upstream = System.Diagnostics.Stopwatch.StartNew();
        await next(context);
        GatewayMetrics.StageDuration.Record(upstream.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("stage", "upstream"));

        if (context.Features.Get<IForwarderErrorFeature>() is { Error: not ForwarderError.None } failure)
            return UpstreamFailure(failure.Error);

        string outcomeName = outcome.Unprotected.Count > 0 ? "unperturbed" : outcome.Reports.Count > 0 ? "perturbed" : "passthrough";
        GatewayMetrics.Uploads.Add(1, new KeyValuePair<string, object?>("outcome", outcomeName));
        await jobs.PublishAsync(upload.JobId, JobStage.Forwarded);
        return null;
    }

    private static bool IsEncoded(HttpRequest request) =>
        request.Headers.ContentEncoding.Any(value => value is not null && value.Split(',').Any(coding =>
            coding.Trim() is { Length: > 0 } c && !c.Equals("identity", StringComparison.OrdinalIgnoreCase)));

    private static UploadRefusedException UpstreamFailure(ForwarderError error) => error switch
    {
        ForwarderError.RequestTimedOut => new(StatusCodes.Status504GatewayTimeout, "upstream_timeout", "The upstream server did not answer in time. The upload was not retried."),
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled => new(499, "client_disconnected", "The client went away."),
        _ => new(StatusCodes.Status502BadGateway, "upstream_unreachable", $"The upstream server failed ({error}). The upload was not retried."),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {RouteId} has invalid UploadGuard metadata: {Problem}")]
    private partial void LogBadRoute(string routeId, string problem);
}
