using System.Text;

namespace UploadGuard.Gateway.Proxy;

/// <summary>
/// A buffered multipart body split into parts without re-serialising anything: each part records where its header
/// block and body sit in the original bytes, so parts that are not replaced go upstream byte for byte, and the
/// boundary, preamble and epilogue stay exactly as the client sent them.
/// </summary>
public sealed class MultipartBody
{
    public const int MaxHeadersPerPart = 16;
    public const int MaxHeaderBytesPerPart = 16 * 1024;
    public const int MaxParts = 1000;

    private const string ContentLength = "Content-Length";

    private MultipartBody(byte[] raw, IReadOnlyList<MultipartPart> parts)
    {
        Raw = raw;
        Parts = parts;
    }

    public byte[] Raw { get; }

    public IReadOnlyList<MultipartPart> Parts { get; }

    /// <exception cref="MalformedMultipartException">The body does not follow RFC 2046 or breaks a header limit.</exception>
    public static MultipartBody Parse(byte[] raw, string boundary)
    {
        if (boundary.Length is 0 or > 70)
            throw new MalformedMultipartException("The multipart boundary is missing or longer than 70 characters.");
        var dash = Encoding.ASCII.GetBytes("--" + boundary);
        var delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);

        // The first delimiter may start the body or follow a preamble line.
        int position = raw.AsSpan().StartsWith(dash) ? 0 : IndexOf(raw, delimiter, 0) is var d and >= 0 ? d + 2 : -1;
        if (position < 0)
            throw new MalformedMultipartException("The body never opens the declared boundary.");

        var parts = new List<MultipartPart>();
        while (true)
        {
            int after = position + dash.Length;
            if (after + 2 <= raw.Length && raw[after] == '-' && raw[after + 1] == '-')
                return new MultipartBody(raw, parts);   // close delimiter; the rest is epilogue

            // Skip transport padding, then the line break that ends the delimiter line.
            while (after < raw.Length && raw[after] is (byte)' ' or (byte)'\t') after++;
            if (after + 2 > raw.Length || raw[after] != '\r' || raw[after + 1] != '\n')
                throw new MalformedMultipartException("A boundary line is not terminated.");
            int partStart = after + 2;

            int next = IndexOf(raw, delimiter, partStart - 2);
            if (next < 0)
                throw new MalformedMultipartException("The body ends without the closing boundary.");
            // "--b\r\n--b": the line break that ends one boundary line cannot also start the next delimiter. Without
            // this check the part's range came out negative and the request was answered 500.
            if (next < partStart)
                throw new MalformedMultipartException($"Part {parts.Count} is cut short: a boundary line is followed directly by the next boundary.");
            if (parts.Count == MaxParts)
                throw new MalformedMultipartException($"More than {MaxParts} parts.");
            parts.Add(ParsePart(raw, parts.Count, partStart, next));
            position = next + 2;
        }
    }

    /// <summary>
    /// The body with some parts' contents replaced (by part index); everything else copied as it was, except that a
    /// replaced part's own <c>Content-Length</c> header (rare, but allowed in a part) is set to the new length, so that
    /// it never promises the upstream the old image's size.
    /// </summary>
    public byte[] Rewrite(IReadOnlyDictionary<int, byte[]> replacements)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        if (replacements.Count == 0) return Raw;
        using var output = new MemoryStream(Raw.Length);
        int copied = 0;
        foreach (var part in Parts)
        {
            if (!replacements.TryGetValue(part.Index, out var content)) continue;
            if (part.Headers.ContainsKey(ContentLength))
            {
                output.Write(Raw, copied, part.HeaderStart - copied);
                WriteHeadersWithLength(output, part, content.Length);
            }
            else
            {
                output.Write(Raw, copied, part.BodyStart - copied);
            }
            output.Write(content);
            copied = part.BodyEnd;
        }
        output.Write(Raw, copied, Raw.Length - copied);
        return output.ToArray();
    }

    /// <summary>The part's header lines byte for byte, but every Content-Length line now says <paramref name="length"/>.</summary>
    private void WriteHeadersWithLength(MemoryStream output, MultipartPart part, int length)
    {
        // A part with headers has them in [HeaderStart, BodyStart - 4), then the empty line.
        int end = part.BodyStart - 4;
        for (int line = part.HeaderStart; line < end;)
        {
            int next = IndexOf(Raw, "\r\n"u8.ToArray(), line, end);
            int lineEnd = next < 0 ? end : next;
            var text = Raw.AsSpan(line, lineEnd - line);
            int colon = text.IndexOf((byte)':');
            // The name decoded and trimmed exactly as ParsePart reads it, so that the line it took is the line changed.
            if (colon > 0 && Encoding.UTF8.GetString(text[..colon]).Trim().Equals(ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                output.Write(text[..(colon + 1)]);
                output.Write(Encoding.ASCII.GetBytes(" " + length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            else
            {
                output.Write(text);
            }
            output.Write("\r\n"u8);
            line = lineEnd + 2;
        }
        output.Write("\r\n"u8);
    }

    private static MultipartPart ParsePart(byte[] raw, int index, int start, int end)
    {
        // A part with no headers starts directly with the empty line.
        int headerEnd = raw.AsSpan(start, end - start).StartsWith("\r\n"u8) ? start : IndexOf(raw, "\r\n\r\n"u8.ToArray(), start, end);
        if (headerEnd < 0)
            throw new MalformedMultipartException($"Part {index} has no end to its headers.");
        if (headerEnd - start > MaxHeaderBytesPerPart)
            throw new MalformedMultipartException($"Part {index} has more than {MaxHeaderBytesPerPart} bytes of headers.");

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (headerEnd > start)
        {
            var lines = Encoding.UTF8.GetString(raw, start, headerEnd - start).Split("\r\n");
            if (lines.Length > MaxHeadersPerPart)
                throw new MalformedMultipartException($"Part {index} has more than {MaxHeadersPerPart} headers.");
            foreach (var line in lines)
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                    throw new MalformedMultipartException($"Part {index} has a malformed header line.");
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }
        int bodyStart = headerEnd == start ? start + 2 : headerEnd + 4;
        return new MultipartPart(index, headers, bodyStart, end) { HeaderStart = start };
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int from, int to = -1)
    {
        int limit = to < 0 ? haystack.Length : to;
        int found = haystack.AsSpan(from, limit - from).IndexOf(needle);
        return found < 0 ? -1 : from + found;
    }
}
