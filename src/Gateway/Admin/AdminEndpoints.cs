using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Security;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// The <c>/admin</c> API: model registry, activation and rollback, retraining jobs, and authorised removal of
/// owner-keyed protection (<see cref="UnprotectEndpoint"/>). Admin token required.
/// </summary>
public static class AdminEndpoints
{
    public const string Policy = "uploadguard-admin";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(Policy).WithTags("Admin");

        admin.MapGet("/models", (EngineState state, IOptions<ProtectionDefaults> defaults) =>
        {
            var registry = state.Host.Registry;
            var active = state.Host.Models.Card.Version;
            return TypedResults.Ok(registry.List().Select(card => ModelEntry.Of(card, card.Version == active, defaults.Value.Epsilon)));
        }).WithSummary("List model versions with their cards; marks the one being served");

        admin.MapPost("/models/{version}/activate", (string version, ModelActivation activation, EngineState state, IOptions<ProtectionDefaults> defaults) =>
        {
            if (!ModelRegistry.IsValidVersion(version) || state.Host.Registry.List().All(card => card.Version != version))
                return Problem(StatusCodes.Status404NotFound, "unknown_model", $"There is no version '{version}' in the registry.");
            try
            {
                var card = activation.Activate(version);
                return Results.Ok(ModelEntry.Of(card, true, defaults.Value.Epsilon));
            }
            catch (ModelIntegrityException ex)
            {
                return Problem(StatusCodes.Status422UnprocessableEntity, "model_unusable", ex.Message);
            }
        }).WithSummary("Activate a version (also the way to roll back); atomic, in-flight work finishes on its version");

        admin.MapPost("/retrain", StartRetrainAsync)
            .WithSummary("Start retraining on an uploaded .zip/.tar/.tar.gz (form field 'dataset') or a configured dataset (JSON)");

        admin.MapGet("/retrain/{id}", (string id, RetrainCoordinator jobs) =>
            jobs.Get(id) is { } job ? Results.Ok(job) : NotFound(id))
            .WithSummary("A retraining job's state and progress");

        admin.MapDelete("/retrain/{id}", (string id, RetrainCoordinator jobs) =>
            jobs.Get(id) is null ? NotFound(id)
            : jobs.Cancel(id) ? Results.Accepted($"/admin/retrain/{id}", jobs.Get(id))
            : ProblemResponses.From(new UploadRefusedException(StatusCodes.Status409Conflict, "not_running", "The job is not running.")))
            .WithSummary("Cancel a running retraining job");

        admin.MapUnprotect();
        return app;
    }

    /// <param name="ClaimedProtection">The card's claim in words ("none claimed", or the measured claim and its scope).</param>
    /// <param name="ClaimAtDefaultEpsilon">What the card claims at the budget a route without one would use (<c>Protection:Epsilon</c>, else the card's own).</param>
    public sealed record ModelEntry(ModelCard Card, bool Active, string? Warning, string ClaimedProtection, string ClaimAtDefaultEpsilon, int DefaultEpsilon)
    {
        public static ModelEntry Of(ModelCard card, bool active, int? configuredEpsilon)
        {
            int epsilon = ProtectionOptions.EpsilonFor(configuredEpsilon, card);
            return new(card, active, card.Warning, card.ClaimedProtection, card.ClaimAt(epsilon).Token(), epsilon);
        }
    }

    private static async Task<IResult> StartRetrainAsync(HttpContext context, RetrainCoordinator jobs, IOptions<RetrainingOptions> options)
    {
        // Before the upload is read: there is no point receiving gigabytes of photos that nothing can train on.
        if (jobs.LocateWorker(out var unavailable) is null)
            return Problem(StatusCodes.Status503ServiceUnavailable, "retraining_unavailable", unavailable);
        var settings = options.Value;
        string folder = jobs.NewJobFolder(out var id);
        try
        {
            RetrainRequest request;
            string dataSource, description;
            int skipped = 0;
            if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var media) && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                var (fields, upload) = await ReadUploadAsync(context, media, folder, settings.MaxUploadBytes);
                request = FromForm(fields);
                if (Invalid(request) is { } invalid) return invalid;
                if (upload is null)
                    return Problem(StatusCodes.Status400BadRequest, "missing_dataset", "Upload the photos as the form file 'dataset' (.zip, .tar or .tar.gz).");
                var unpacked = await Task.Run(() => DatasetArchive.Unpack(upload, Path.Combine(folder, "photos"), settings, context.RequestAborted));
                File.Delete(upload);
                if (unpacked.Images == 0)
                    return Problem(StatusCodes.Status422UnprocessableEntity, "no_images", $"The archive holds no JPEG, PNG or WebP photos ({unpacked.SkippedNonImages} other files skipped).");
                (dataSource, description, skipped) = (unpacked.Folder, $"uploaded archive: {unpacked.Images} photos, {unpacked.SkippedNonImages} non-images skipped", unpacked.SkippedNonImages);
            }
            else
            {
                request = await context.Request.ReadFromJsonAsync<RetrainRequest>(ModelCard.JsonOptions, context.RequestAborted)
                    ?? new RetrainRequest();
                if (Invalid(request) is { } invalid) return invalid;
                if (request.Dataset is null || !settings.Datasets.TryGetValue(request.Dataset, out var path))
                    return Problem(StatusCodes.Status400BadRequest, "unknown_dataset", $"Name a configured dataset ({string.Join(", ", settings.Datasets.Keys.DefaultIfEmpty("none configured"))}) or upload one.");
                (dataSource, description) = (path, $"server dataset '{request.Dataset}'");
            }

            if (await jobs.TryStartAsync(id, request, dataSource, description, skipped) is not { } job)
            {
                Directory.Delete(folder, recursive: true);
                return Problem(StatusCodes.Status409Conflict, "training_busy", "Another job is training (here or on another instance); one training runs at a time.");
            }
            return Results.Accepted($"/admin/retrain/{id}", job);
        }
        catch (ArchiveRejectedException ex)
        {
            Directory.Delete(folder, recursive: true);
            return Problem(ex.Reason == "archive_too_large" ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, ex.Reason, ex.Message);
        }
        catch (UploadRefusedException ex)
        {
            Directory.Delete(folder, recursive: true);
            return ProblemResponses.From(ex);
        }
        catch (System.Text.Json.JsonException ex)
        {
            Directory.Delete(folder, recursive: true);
            return Problem(StatusCodes.Status400BadRequest, "invalid_json", ex.Message);
        }
        catch (Exception) when (Directory.Exists(folder) && jobs.Get(id) is null)
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>Streams the form: small fields into memory, the 'dataset' file to disk under the size cap.</summary>
    private static async Task<(Dictionary<string, string> Fields, string? Upload)> ReadUploadAsync(HttpContext context, MediaTypeHeaderValue media, string folder, long maxBytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;
        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value
            ?? throw new UploadRefusedException(StatusCodes.Status400BadRequest, "malformed_multipart", "multipart/form-data without a boundary.");
        var reader = new MultipartReader(boundary, context.Request.Body);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? upload = null;
        try
        {
            for (var section = await reader.ReadNextSectionAsync(context.RequestAborted); section is not null; section = await reader.ReadNextSectionAsync(context.RequestAborted))
            {
                var disposition = section.GetContentDispositionHeader();
                if (disposition is null) continue;
                if (disposition.IsFileDisposition() && disposition.Name.Value == "dataset")
                {
                    upload = Path.Combine(folder, "upload.bin");
                    await using var file = File.Create(upload);
                    var buffer = new byte[81920];
                    long total = 0;
                    int read;
                    while ((read = await section.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                    {
                        total += read;
                        if (total > maxBytes)
                            throw new UploadRefusedException(StatusCodes.Status413PayloadTooLarge, "archive_too_large", $"The upload is larger than {maxBytes:N0} bytes.");
                        await file.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                    }
                }
                else if (disposition.IsFormDisposition() && disposition.Name.Value is { } name)
                {
                    using var text = new StreamReader(section.Body);
                    var value = await text.ReadToEndAsync(context.RequestAborted);
                    fields[name] = value.Length > 256 ? value[..256] : value;
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && ex is not UploadRefusedException)
        {
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, "malformed_multipart", ex.Message);
        }
        return (fields, upload);
    }

    /// <summary>Form fields as a request: a field left out stays null (the trainer's default); one that does not parse fails validation.</summary>
    private static RetrainRequest FromForm(Dictionary<string, string> fields)
    {
        long? L(string key) => fields.TryGetValue(key, out var v) ? (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : long.MinValue) : null;
        int? I(string key) => L(key) is { } x ? (int)Math.Clamp(x, int.MinValue, int.MaxValue) : null;
        double? D(string key) => fields.TryGetValue(key, out var v) ? (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : double.NaN) : null;
        // A checkbox sends "on" (or its value) when ticked and nothing when not; anything else is refused, not read as false.
        bool? B(string key) => !fields.TryGetValue(key, out var v) ? null
            : v.Trim().ToLowerInvariant() switch
            {
                "true" or "on" => true,
                "false" or "off" => false,
                _ => throw new UploadRefusedException(StatusCodes.Status400BadRequest, "invalid_parameters", $"{key} must be true or false."),
            };
        return new RetrainRequest
        {
            Steps = L("steps"),
            BatchSize = I("batchSize"),
            ImageSize = I("imageSize"),
            Architecture = fields.GetValueOrDefault("architecture"),
            ProxySize = I("proxySize"),
            MinProxySize = fields.GetValueOrDefault("minProxySize") is { Length: > 0 } ? I("minProxySize") : null,
            LearningRate = D("learningRate"),
            PseudoOwners = I("pseudoOwners"),
            EpisodeSteps = I("episodeSteps"),
            ProxyLearningRate = D("proxyLearningRate"),
            Gray = D("gray"),
            GrayEpisodes = D("grayEpisodes"),
            DistinctKeys = D("distinctKeys"),
            HardOwners = D("hardOwners"),
            EpisodeWarmUp = D("episodeWarmUp"),
            AttackerPerEpisode = B("attackerPerEpisode"),
            KeepStandIns = B("keepStandIns"),
            FreshBesideKept = B("freshBesideKept"),
            ReadableEpisodes = D("readableEpisodes"),
            StandIns = fields.GetValueOrDefault("standIns")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Jpeg = D("jpeg"),
            Halving = D("halving"),
            CurriculumFraction = D("curriculumFraction"),
            LoudViews = D("loudViews"),
            LoudAtomGradient = D("loudAtomGradient"),
            Epsilon = I("epsilon"),
            Seed = I("seed"),
            MaxImages = fields.ContainsKey("maxImages") ? I("maxImages") : RetrainRequest.DefaultMaxImages,
            Version = fields.GetValueOrDefault("version") is { Length: > 0 } v ? v : null,
            Force = B("force") ?? false,
        };
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem? Invalid(RetrainRequest request) =>
        request.Validate() is { Count: > 0 } errors
            ? TypedResults.ValidationProblem(errors, title: "Invalid hyper-parameters", extensions: new Dictionary<string, object?> { ["reason"] = "invalid_parameters" })
            : null;

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound(string id) => Problem(StatusCodes.Status404NotFound, "unknown_job", $"No retraining job {id}.");

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem(int status, string reason, string detail) =>
        ProblemResponses.From(new UploadRefusedException(status, reason, detail));

    public static void AddAdminPolicy(this Microsoft.AspNetCore.Authorization.AuthorizationOptions options) =>
        options.AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(ClientTokenAuthenticationHandler.SchemeName)
            .RequireRole(ClientTokenAuthenticationHandler.AdminRole));
}
