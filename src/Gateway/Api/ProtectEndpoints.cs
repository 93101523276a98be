using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Proxy;
using UploadGuard.Gateway.Security;
using UploadGuard.Gateway.Telemetry;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Api;

/// <summary><c>POST /api/protect</c>: one image in, the protected image out (or JSON), for the browser extension.</summary>
public static class ProtectEndpoints
{
    public const string RateLimitPolicy = "protect-per-client";

    public static IEndpointRouteBuilder MapProtectApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/protect", ProtectAsync)
            .WithName("Protect")
            .WithSummary("Protect one image")
            .WithDescription("""
                Send one image as the raw body (image/jpeg, image/png, image/webp) or as the first file part of
                multipart/form-data. The answer is the protected image in the same format (or `format`), with
                X-UploadGuard-* headers describing it; with `Accept: application/json` it is a JSON report holding the
                image in base64. The owner whose key protects it (owner-keyed models) is the client user, or what
                Protection:OwnerKeys:Api says; X-UploadGuard-Owner-Key-Id then names the key's id. Refusals are
                problem+json with a `reason` code (400, 401 and 403 for the owner, 413, 415, 422, 503 with Retry-After).
                Progress stages go to the job id's SignalR group on /hubs/progress.
                """)
            // Declared for the OpenAPI document only: Accepts<T>() would make routing answer a bare 415 itself,
            // where clients should get our problem+json with a reason code.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                var binary = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The image, raw or as the first image file part of a form.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["image/jpeg"] = binary,
                        ["image/png"] = binary,
                        ["image/webp"] = binary,
                        ["multipart/form-data"] = new OpenApiMediaType(),
                    },
                };
                return Task.CompletedTask;
            })
            .Produces<byte[]>(StatusCodes.Status200OK, "image/jpeg", "image/png", "image/webp")
            .Produces<ProtectResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery()
            .RequireRateLimiting(RateLimitPolicy);
        return app;
    }

    /// <summary>The JSON form of the answer.</summary>
    public sealed record ProtectResponse(string JobId, string? FileName, string ContentType, ProtectionReport Report, string Data);

    private static async Task ProtectAsync(
        HttpContext context,
        ResilientProtection protection,
        JobTracker jobs,
        OwnerResolver owners,
        IOptions<ClientTokenOptions> clients,
        IOptions<ProtectionDefaults> defaults,
        IOptions<ImagingOptions> imaging,
        int? epsilon,
        string? format)
    {
        var user = context.User.Identity?.AuthenticationType == ClientTokenAuthenticationHandler.SchemeName ? context.User.Identity.Name : null;
        if (user is null && !clients.Value.AllowAnonymousProtect)
        {
            GatewayMetrics.CountFailure("unauthenticated", GatewayMetrics.ApiPath);
            await ProblemResponses.WriteAsync(context, new UploadRefusedException(401, "unauthenticated", "A client token is required (Authorization: Bearer <token>)."));
            return;
        }

        var ownerHeader = OwnerResolver.TakeHeader(context.Request, owners.ApiPolicy);
        var jobId = jobs.Start(user, context.Request.Headers[ProtectionHeaders.Job]);
        await jobs.PublishAsync(jobId, JobStage.Received);
        // Counted like the proxy's images (path "api"): an image refused once it was found counts as a refused image.
        bool imageFound = false;
        try
        {
            // The same owner resolution as a proxied route (Protection:OwnerKeys:Api): a client user is the owner of
            // what it protects, which is how the extension protects with its user's key.
            var owner = await owners.ResolveKeyAsync(context, owners.ApiPolicy, ownerHeader);
            var policy = RouteProtectionPolicy.Parse(null, defaults.Value, imaging.Value) with { Enabled = true, FailMode = FailMode.Closed };
            if (epsilon is { } e)
            {
                if (!ProtectionOptions.IsValidEpsilon(e))
                    throw new UploadRefusedException(400, "invalid_epsilon", ProtectionOptions.EpsilonRangeMessage("epsilon"));
                policy = policy with { Settings = policy.Settings with { Epsilon = e } };
            }
            var outputFormat = ParseFormat(format);

            var body = await RequestBodyReader.ReadAsync(context, policy.MaxRequestBytes);
            var (image, fileName) = UploadBody.Read(body, context.Request.ContentType, failClosed: true).SingleImage();
            imageFound = true;

            var result = await protection.ProtectAsync(image, fileName ?? "body", policy.Settings, new JobProgress(jobs, jobId), context.RequestAborted, outputFormat, owner);
            await jobs.PublishAsync(jobId, JobStage.Encoded);
            GatewayMetrics.CountPerturbed(result, GatewayMetrics.ApiPath);
            await WriteResultAsync(context, result, jobId, fileName);
            await jobs.PublishAsync(jobId, JobStage.Done);
        }
        catch (Exception ex) when (UploadRefusals.TryFrom(ex, null, out var refusal))
        {
            GatewayMetrics.CountFailure(refusal.Reason, GatewayMetrics.ApiPath);
            if (imageFound || refusal.InnerException is ImageRejectedException)
                GatewayMetrics.CountImage("refused", GatewayMetrics.ApiPath);
            await jobs.PublishAsync(jobId, JobStage.Failed, refusal.Reason, refusal.Message);
            await ProblemResponses.WriteAsync(context, refusal, jobId);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            await jobs.PublishAsync(jobId, JobStage.Failed, "client_disconnected");
        }
    }

    private static async Task WriteResultAsync(HttpContext context, ProtectionResult result, string jobId, string? fileName)
    {
        var report = result.Report;
        string contentType = "image/" + report.OutputFormat.ToString().ToLowerInvariant();
        ProtectionHeaders.Apply(context.Response.Headers, report, jobId);

        bool json = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
        if (json)
            await TypedResults.Json(new ProtectResponse(jobId, fileName, contentType, report, Convert.ToBase64String(result.Data))).ExecuteAsync(context);
        else
            await TypedResults.Bytes(result.Data, contentType).ExecuteAsync(context);
    }

    private static OutputFormat ParseFormat(string? format) => format?.ToLowerInvariant() switch
    {
        null or "" or "keep" => OutputFormat.Keep,
        "png" => OutputFormat.Png,
        "jpeg" or "jpg" => OutputFormat.Jpeg,
        "webp" => OutputFormat.Webp,
        _ => throw new UploadRefusedException(400, "invalid_format", "format must be keep, png, jpeg or webp."),
    };
}
