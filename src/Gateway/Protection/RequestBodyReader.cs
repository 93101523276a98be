using Microsoft.AspNetCore.Http.Features;
using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Protection;

/// <summary>Buffers a request body under a byte limit (YARP's own limit does not cover bodies read by middleware).</summary>
public static class RequestBodyReader
{
    /// <summary>Reads up to <paramref name="count"/> bytes from the start of the body (fewer only at its end).</summary>
    public static async Task<byte[]> PeekAsync(HttpContext context, int count)
    {
        var buffer = new byte[count];
        int filled = 0, read;
        while (filled < count && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(filled), context.RequestAborted)) > 0)
            filled += read;
        return buffer[..filled];
    }

    public static async Task<byte[]> ReadAsync(HttpContext context, long maxBytes, byte[]? alreadyRead = null)
    {
        if (context.Request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;

        using var buffer = new MemoryStream(context.Request.ContentLength is { } length ? (int)Math.Min(length, maxBytes) : 0);
        if (alreadyRead is not null) buffer.Write(alreadyRead);
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
