using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace UploadGuard.Gateway.Problems;

/// <summary>problem+json answers that always carry a machine-readable <c>reason</c>.</summary>
public static class ProblemResponses
{
    public static ProblemHttpResult From(UploadRefusedException refusal, string? jobId = null)
    {
        var extensions = new Dictionary<string, object?> { ["reason"] = refusal.Reason };
        if (refusal.Part is not null) extensions["part"] = refusal.Part;
        if (jobId is not null) extensions["jobId"] = jobId;
        return TypedResults.Problem(
            detail: refusal.Message,
            statusCode: refusal.Status,
            title: Title(refusal.Status),
            type: $"https://uploadguard.dev/problems/{refusal.Reason}",
            extensions: extensions);
    }

    /// <summary>Writes the problem, with Retry-After when the refusal has one.</summary>
    public static async Task WriteAsync(HttpContext context, UploadRefusedException refusal, string? jobId = null)
    {
        if (refusal.RetryAfter is { } retry)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await From(refusal, jobId).ExecuteAsync(context);
    }

    private static string Title(int status) => status switch
    {
        400 => "Malformed request",
        413 => "Image too large",
        415 => "Unsupported image format",
        422 => "Image cannot be protected",
        429 => "Too many requests",
        431 => "Request headers too large",
        502 => "Upstream unreachable",
        503 => "Protection unavailable",
        504 => "Upstream timed out",
        _ => "Request refused",
    };
}
