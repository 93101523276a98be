using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Telemetry;

namespace UploadGuard.Gateway.Security;

/// <summary>
/// First in the pipeline: refuses requests whose headers exceed <see cref="RequestHeaderLimitOptions"/> with a
/// problem+json 431 <c>headers_too_large</c> (Kestrel's own 431, for floods beyond its raised limits, has no body) and
/// closes the connection. Nothing is forwarded.
/// </summary>
public sealed class RequestHeaderLimitMiddleware(RequestDelegate next, IOptions<RequestHeaderLimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.Value;
        long count = 0, bytes = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            // Kestrel folds repeated headers into one entry; each value was a line "name: value\r\n" of its own.
            foreach (var value in values)
            {
                count++;
                bytes += name.Length + 2 + (value?.Length ?? 0) + 2;
            }
        }

        string? problem = count > limits.MaxCount
            ? $"The request has {count} header lines; at most {limits.MaxCount} are accepted."
            : bytes > limits.MaxTotalBytes
                ? $"The request's headers take {bytes:N0} bytes; at most {limits.MaxTotalBytes:N0} are accepted."
                : null;
        if (problem is null)
        {
            await next(context);
            return;
        }

        GatewayMetrics.Failures.Add(1, new KeyValuePair<string, object?>("reason", "headers_too_large"));
        context.Response.Headers.Connection = "close";
        await ProblemResponses.WriteAsync(context, new UploadRefusedException(StatusCodes.Status431RequestHeaderFieldsTooLarge, "headers_too_large", problem));
    }
}
