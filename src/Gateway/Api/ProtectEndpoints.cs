using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Protection;
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
        ProtectionPipeline pipeline,
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
            await ProtectionPipeline.RefuseAsync(context, GatewayMetrics.ApiPath,
                new UploadRefusedException(401, "unauthenticated", "A client token is required (Authorization: Bearer <token>)."));
            return;
        }

        var output = ParseFormat(format);
        UploadRefusedException? invalid = null;
        if (epsilon is { } e && !ProtectionOptions.IsValidEpsilon(e))
            invalid = new(400, "invalid_epsilon", ProtectionOptions.EpsilonRangeMessage("epsilon"));
        else if (output is null)
            invalid = new(400, "invalid_format", "format must be keep, png, jpeg or webp.");
        var settings = new ProtectionSettings(epsilon ?? defaults.Value.Epsilon, defaults.Value.Formats.ToHashSet(), imaging.Value.MaxBytes, imaging.Value.MaxPixels);
        // The same owner resolution as a proxied route (Protection:OwnerKeys:Api): a client user is the owner of what it
        // protects, which is how the extension protects with its user's key.
        var request = new ProtectionRequest(context, GatewayMetrics.ApiPath, FailMode.Closed, settings, defaults.Value.MaxRequestBytes, owners.ApiPolicy,
            OwnerResolver.TakeHeader(context.Request, owners.ApiPolicy), user, context.Request.Headers[ProtectionHeaders.Job])
        {
            SingleImage = output ?? OutputFormat.Keep,
            Invalid = invalid,
        };
        await pipeline.RunAsync(request, upload => WriteResultAsync(context, upload));
    }

    private static async Task<UploadRefusedException?> WriteResultAsync(HttpContext context, ProtectedUpload upload)
    {
        var (data, contentType, reports, _) = upload.Outcome;
        bool json = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
        if (json)
            await TypedResults.Json(new ProtectResponse(upload.JobId, upload.FileName, contentType!, reports[0], Convert.ToBase64String(data))).ExecuteAsync(context);
        else
            await TypedResults.Bytes(data, contentType).ExecuteAsync(context);
        return null;
    }

    /// <summary>The format asked for; null for one this endpoint does not write.</summary>
    private static OutputFormat? ParseFormat(string? format) => format?.ToLowerInvariant() switch
    {
        null or "" or "keep" => OutputFormat.Keep,
        "png" => OutputFormat.Png,
        "jpeg" or "jpg" => OutputFormat.Jpeg,
        "webp" => OutputFormat.Webp,
        _ => null,
    };
}
