using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.Gateway.Problems;

/// <summary>
/// The one mapping from what input can go wrong to what the client is told, shared by the proxy and <c>/api/protect</c>,
/// so that a file gets the same status and reason code on both and no input reaches a 500.
/// </summary>
public static class UploadRefusals
{
    /// <summary>The refusal for <paramref name="exception"/> when it is about the request's input; false otherwise.</summary>
    public static bool TryFrom(Exception exception, string? part, out UploadRefusedException refusal)
    {
        refusal = exception switch
        {
            UploadRefusedException known => known,
            MalformedMultipartException ex => new UploadRefusedException(StatusCodes.Status400BadRequest, "malformed_multipart", ex.Message, part, inner: ex),
            UnsupportedPartException ex => new UploadRefusedException(StatusCodes.Status415UnsupportedMediaType, ex.Reason, ex.Message, ex.Part, inner: ex),
            ImageRejectedException ex => From(ex, part ?? "body"),
            OwnerKeyRequiredException ex => OwnerRequired(ex, part ?? "body"),
            _ => null!,
        };
        return refusal is not null;
    }

    /// <summary>An image the engine or a route cap refused: 413 for size, 415 for format, 422 for the rest.</summary>
    public static UploadRefusedException From(ImageRejectedException rejection, string part)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        return new(StatusOf(rejection.Reason), rejection.ReasonCode, $"'{part}': {rejection.Message}", part, inner: rejection);
    }

    /// <summary>401 <c>owner_required</c>: the model draws its perturbation from the owner's key and there is no owner.</summary>
    public static UploadRefusedException OwnerRequired(OwnerKeyRequiredException ex, string part)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return new(StatusCodes.Status401Unauthorized, "owner_required",
            $"Model {ex.ModelVersion} protects photos with their owner's key and this request names no owner (the route sets no UploadGuard.OwnerSources, or none gave one).",
            part, inner: ex);
    }

    public static int StatusOf(ImageRejectionReason reason) => reason switch
    {
        ImageRejectionReason.TooManyBytes or ImageRejectionReason.TooManyPixels => StatusCodes.Status413PayloadTooLarge,
        ImageRejectionReason.UnsupportedFormat => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status422UnprocessableEntity,
    };
}
