using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Security;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// <c>POST /admin/unprotect?owner=ID[&amp;epsilon=8&amp;format=keep|png]</c>: authorised removal. The body is a photo an
/// owner-keyed model protected; the answer is the photo with that owner's texture taken off, tried under the current
/// and every previous secret. Takes the admin token from <c>Authorization: Bearer</c> or <c>X-UploadGuard-Token</c>
/// only: it holds no state a page would need, and a cookie would let any page the admin visits post to it.
/// </summary>
public static partial class UnprotectEndpoint
{
    private const string LogCategory = "UploadGuard.Gateway.Admin.UnprotectEndpoint";

    public static RouteGroupBuilder MapUnprotect(this RouteGroupBuilder admin)
    {
        admin.MapPost("/unprotect", UnprotectAsync)
            .WithSummary("Remove an owner's protection from a photo (raw image body or the first image part of a form)")
            .DisableAntiforgery();
        return admin;
    }

    private static async Task UnprotectAsync(
        HttpContext context,
        IProtectionEngine engine,
        OwnerKeys keys,
        IOptions<ProtectionDefaults> defaults,
        IOptions<AdminOptions> admin,
        ILoggerFactory loggers,
        string? owner,
        int? epsilon,
        string? format)
    {
        try
        {
            if (ClientTokenAuthenticationHandler.ReadHeaderToken(context) is not { } token || !ClientTokenAuthenticationHandler.IsAdminToken(admin.Value, token))
                throw new UploadRefusedException(StatusCodes.Status401Unauthorized, "unauthenticated",
                    "This endpoint takes the admin token in Authorization: Bearer or X-UploadGuard-Token only, never from a cookie.");
            if (string.IsNullOrEmpty(owner))
                throw new UploadRefusedException(StatusCodes.Status400BadRequest, "invalid_owner", "Name the photo's owner: ?owner=ID.");
            try
            {
                OwnerKeyring.ValidateOwnerId(owner);
            }
            catch (ArgumentException)
            {
                throw new UploadRefusedException(StatusCodes.Status400BadRequest, "invalid_owner", "owner must be 1-256 characters without control characters.");
            }
            if (!engine.ActiveCard.Architecture.IsOwnerKeyed)
                throw NotOwnerKeyed(engine.ActiveCard.Version, engine.ActiveCard.Architecture.Name);
            int? budget = epsilon ?? defaults.Value.Epsilon;
            if (!ProtectionOptions.IsValidEpsilon(budget))
                throw new UploadRefusedException(StatusCodes.Status400BadRequest, "invalid_epsilon",
                    ProtectionOptions.EpsilonRangeMessage("epsilon") + " It is the budget the photo was protected with.");
            // Lossy output would blur away the exactness removal gives back; only the photo's own format or PNG.
            var output = format?.ToLowerInvariant() switch
            {
                null or "" or "keep" => OutputFormat.Keep,
                "png" => OutputFormat.Png,
                _ => throw new UploadRefusedException(StatusCodes.Status400BadRequest, "invalid_format", "format must be keep or png."),
            };

            var body = await RequestBodyReader.ReadAsync(context, defaults.Value.MaxRequestBytes);
            var (image, fileName) = UploadBody.Read(body, context.Request.ContentType, failClosed: true).SingleImage();

            var candidates = keys.Keyring.DeriveAll(owner);
            var result = await Task.Run(() => Remove(engine, image, candidates, budget, output, fileName ?? "body", context.RequestAborted), context.RequestAborted);
            var logger = loggers.CreateLogger(LogCategory);
            LogRemoved(logger, result.ModelVersion, result.KeyId);

            ProtectionHeaders.Apply(context.Response.Headers, result);
            await TypedResults.Bytes(result.Data, "image/" + result.OutputFormat.ToString().ToLowerInvariant()).ExecuteAsync(context);
        }
        catch (Exception ex) when (UploadRefusals.TryFrom(ex, null, out var refusal))
        {
            await ProblemResponses.WriteAsync(context, refusal);
        }
    }

    /// <summary>The engine's removal, its refusals as the problems the rest of the gateway answers with.</summary>
    private static UnprotectResult Remove(IProtectionEngine engine, byte[] image, IReadOnlyList<OwnerKey> candidates, int? epsilon, OutputFormat format, string part,
        CancellationToken cancellationToken)
    {
        try
        {
            return engine.Unprotect(image, candidates, epsilon, format, cancellationToken);
        }
        catch (ImageRejectedException ex)
        {
            throw UploadRefusals.From(ex, part);
        }
        catch (OwnerTextureNotFoundException ex)
        {
            // The message says the best match and what may be wrong; it names neither the owner nor a key.
            throw new UploadRefusedException(StatusCodes.Status422UnprocessableEntity, "owner_texture_not_found", ex.Message, part, inner: ex);
        }
        catch (InvalidOperationException) when (!engine.ActiveCard.Architecture.IsOwnerKeyed)
        {
            // A version without keys was activated while this request was on its way.
            throw NotOwnerKeyed(engine.ActiveCard.Version, engine.ActiveCard.Architecture.Name);
        }
    }

    private static UploadRefusedException NotOwnerKeyed(string version, string architecture) =>
        new(StatusCodes.Status409Conflict, "model_not_owner_keyed",
            $"The active model {version} ({architecture}) is not owner-keyed: its perturbation cannot be removed with a key. Activate the owner-keyed version that protected the photo first.");

    [LoggerMessage(Level = LogLevel.Information, Message = "An admin removed owner-keyed protection from a photo (model {ModelVersion}, key id {KeyId})")]
    private static partial void LogRemoved(ILogger logger, string modelVersion, string keyId);
}
