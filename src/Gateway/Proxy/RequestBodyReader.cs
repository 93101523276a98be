using Microsoft.AspNetCore.Http.Features;

namespace UploadGuard.Gateway.Proxy;

/// <summary>Buffers a request body under a byte limit (YARP's own limit does not cover bodies read by middleware).</summary>
public static class RequestBodyReader
{
    public static async Task<byte[]> ReadAsync(HttpContext context, long maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;

        using var buffer = new MemoryStream(context.Request.ContentLength is { } length ? (int)Math.Min(length, maxBytes) : 0);
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (BadHttpRequestException ex)
        {
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, "malformed_request", ex.Message, inner: ex);
        }
        return buffer.ToArray();
    }

    private static UploadRefusedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "request_too_large", $"The request body is larger than {maxBytes:N0} bytes.");
}
