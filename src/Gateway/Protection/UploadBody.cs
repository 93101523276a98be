using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Protection;

/// <summary>
/// A buffered request body as the gateway's one parser reads it: the parts of a multipart body, or the whole body as
/// one candidate image. Both entry points (the proxy and <c>/api/protect</c>) read bodies through it, so a body means
/// the same to each.
/// </summary>
public sealed class UploadBody
{
    private const string BodyPartName = "body";

    private UploadBody(byte[] raw, string? contentType, MultipartBody? form)
    {
        Raw = raw;
        ContentType = contentType;
        Form = form;
    }

    public byte[] Raw { get; }

    /// <summary>The request's Content-Type as it came (what a single body claims to be).</summary>
    public string? ContentType { get; }

    /// <summary>The parsed parts when the body is multipart; null for a single body.</summary>
    public MultipartBody? Form { get; }

    /// <summary>Every piece of content that may be an image, with what it says about itself.</summary>
    public IEnumerable<UploadCandidate> Candidates() => Form is null
        ? [new UploadCandidate(0, BodyPartName, Raw, ContentType, null)]
        : Form.Parts.Select(p => new UploadCandidate(p.Index, p.Name, Raw.AsMemory(p.BodyStart, p.Length), p.ContentType, p.FileName));

    /// <summary>
    /// The image of a one-image request (<c>/api/protect</c>, <c>/admin/unprotect</c>): the body, or the first part that
    /// is or claims to be an image (else the first file part), refused as the proxy would refuse it.
    /// </summary>
    /// <exception cref="UploadRefusedException">No image, or one that cannot be protected (the proxy's status and reason).</exception>
    public (byte[] Image, string? FileName) SingleImage()
    {
        var candidates = Candidates().Select(c => (Candidate: c, Verdict: UploadProcessor.Classify(c.Content.Span, c.ContentType, c.FileName))).ToList();
        int pick = candidates.FindIndex(c => c.Verdict is not null);
        if (pick < 0) pick = candidates.FindIndex(c => c.Candidate.FileName is not null);
        if (pick < 0)
            throw new UploadRefusedException(StatusCodes.Status415UnsupportedMediaType, "not_an_image", "The form holds no file part.");
        var (chosen, verdict) = candidates[pick];
        if (verdict?.Rejection is { } rejection)
            throw UploadRefusals.From(rejection, chosen.FileName ?? chosen.Name);
        if (verdict is null)
            throw new UploadRefusedException(StatusCodes.Status415UnsupportedMediaType, "not_an_image", "The request holds no JPEG, PNG or WebP image.", chosen.FileName ?? chosen.Name);
        return (chosen.Content.ToArray(), chosen.FileName);
    }

    /// <param name="failClosed">Refuse a Content-Type outside RFC 9110's grammar instead of treating the body as one piece.</param>
    /// <exception cref="MalformedMultipartException">A multipart body or Content-Type the strict parser does not accept.</exception>
    /// <exception cref="UploadRefusedException">400 <c>malformed_content_type</c>: an unreadable Content-Type on a fail-closed route.</exception>
    public static UploadBody Read(byte[] raw, string? contentType, bool failClosed)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (string.IsNullOrEmpty(contentType))
            return new UploadBody(raw, contentType, null);
        if (!StrictMediaType.TryParse(contentType, out var mediaType))
        {
            // An upstream that reads a multipart type out of this header anyway would find parts the gateway never saw.
            if (StrictMediaType.MentionsMultipart(contentType))
                throw new MalformedMultipartException("The multipart Content-Type does not follow RFC 9110 (one media type; parameters as token=token or token=\"quoted\").");
            if (failClosed)
                throw new UploadRefusedException(StatusCodes.Status400BadRequest, "malformed_content_type",
                    "The Content-Type does not follow RFC 9110 (one media type; parameters as token=token or token=\"quoted\").");
            return new UploadBody(raw, contentType, null);
        }
        return new UploadBody(raw, contentType, mediaType!.IsMultipart ? MultipartBody.Parse(raw, mediaType) : null);
    }
}
