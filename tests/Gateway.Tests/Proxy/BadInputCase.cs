namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>
/// One request of the bad-input corpus and its documented outcome: <c>Status</c> 201 with <c>Reason</c> the
/// X-UploadGuard-Status the gateway must report (<c>perturbed</c>, or <c>no-images</c> for a form that holds no image
/// at all), or a 4xx with the problem+json <c>reason</c> code.
/// </summary>
public sealed record BadInputCase(string Name, string Group, string ContentType, byte[] Body, int Status, string Reason, string Method = "POST")
{
    public bool Forwarded => Status == 201;

    /// <summary>Extra request headers (e.g. Content-Encoding).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>True for refusals of one image (which fail-open routes forward unprotected instead).</summary>
    public bool ImageRefusal => Status is 413 or 415 or 422 && ContentType.StartsWith("multipart/form-data", StringComparison.Ordinal)
        && Reason is "too_many_pixels" or "too_many_bytes" or "unsupported_format" or "undecodable" or "truncated" or "empty";

    public override string ToString() => Name;
}
