using Microsoft.Extensions.Primitives;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Problems;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Protection;

/// <summary>One upload for the <see cref="ProtectionPipeline"/>, as the entry point it came through sees it.</summary>
/// <param name="Context">The request, its body not yet read (but for <see cref="Head"/>).</param>
/// <param name="MetricPath">The <c>path</c> label its images and refusals are counted under (proxy, api).</param>
/// <param name="FailMode">What an image that cannot be protected does to the request.</param>
/// <param name="Settings">The budget and caps its images are protected with.</param>
/// <param name="MaxRequestBytes">The largest body buffered.</param>
/// <param name="Owner">Where its photos' owner comes from.</param>
/// <param name="OwnerHeader">The owner header, already taken off the request (<see cref="OwnerResolver.TakeHeader"/>).</param>
/// <param name="User">The client user, who owns the job; null for an anonymous upload.</param>
/// <param name="RequestedJob">The job id the client asked for (X-UploadGuard-Job).</param>
public sealed record ProtectionRequest(
    HttpContext Context,
    string MetricPath,
    FailMode FailMode,
    ProtectionSettings Settings,
    long MaxRequestBytes,
    OwnerPolicy Owner,
    StringValues OwnerHeader,
    string? User,
    string? RequestedJob)
{
    /// <summary>The start of the body, already read to decide whether it needs protecting.</summary>
    public byte[]? Head { get; init; }

    /// <summary>
    /// Null: every image in the body is protected and the whole body delivered (a proxied route). Set: the body's one
    /// image, delivered alone in this format (<c>/api/protect</c>).
    /// </summary>
    public OutputFormat? SingleImage { get; init; }

    /// <summary>
    /// A refusal of the request's own parameters (a budget or format out of range), found while building it. Answered
    /// inside the job once the owner is resolved, so the client's job hears of it and an owner refusal still comes first.
    /// </summary>
    public UploadRefusedException? Invalid { get; init; }

    /// <summary>Told the body's size once it is buffered (the proxy's buffered-bytes gauge).</summary>
    public Action<long>? Buffered { get; init; }
}
