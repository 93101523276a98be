using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Protection;

/// <summary>
/// A buffered multipart body read by one strict parser, and written out again by the gateway itself. The upstream
/// never sees the client's framing: <see cref="Write"/> frames the parts the gateway parsed with a boundary of its own,
/// so whatever the upstream's parser would have made of the original (a text after the close delimiter, a delimiter at
/// the end of a preamble line, a lenient Content-Type), it can only find the parts the gateway inspected.
/// </summary>
/// <remarks>
/// What the parser does not accept is refused (<see cref="MalformedMultipartException"/>, 400), never guessed at: a
/// delimiter anywhere in the preamble that does not start a line, anything but white space after the close delimiter,
/// a boundary line with more text after the boundary, header lines that are folded or hold control characters or bare
/// line breaks, a header repeated in a part, a part's Content-Length that is not its length, a nested
/// multipart part (<see cref="UnsupportedPartException"/>, 415) and content or transfer encodings other than identity.
/// </remarks>
public sealed class MultipartBody
{
    public const int MaxHeadersPerPart = 16;
    public const int MaxHeaderBytesPerPart = 16 * 1024;
    public const int MaxParts = 1000;

    private static readonly string[] IdentityTransferEncodings = ["7bit", "8bit", "binary"];

    private MultipartBody(byte[] raw, StrictMediaType mediaType, IReadOnlyList<MultipartPart> parts)
    {
        Raw = raw;
        MediaType = mediaType;
        Parts = parts;
    }

    public byte[] Raw { get; }

    /// <summary>The request's Content-Type: its subtype and parameters (all but the boundary) are kept on the way out.</summary>
    public StrictMediaType MediaType { get; }

    public IReadOnlyList<MultipartPart> Parts { get; }

    /// <summary>The content of a part, as a span of <see cref="Raw"/>.</summary>
    public ReadOnlySpan<byte> Content(MultipartPart part) => Raw.AsSpan(part.BodyStart, part.Length);

    /// <exception cref="MalformedMultipartException">The body does not follow RFC 2046 strictly or breaks a limit.</exception>
    /// <exception cref="UnsupportedPartException">A part is itself multipart or uses an encoding other than identity.</exception>
    public static MultipartBody Parse(byte[] raw, StrictMediaType mediaType)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(mediaType);
        if (!mediaType.IsMultipart)
            throw new MalformedMultipartException($"{mediaType.MediaType} is not a multipart type.");
        var dash = Encoding.ASCII.GetBytes("--" + mediaType.Boundary);
        var delimiter = Encoding.ASCII.GetBytes("\r\n--" + mediaType.Boundary);

        // The first delimiter starts the body or a line after a preamble; "--boundary" anywhere else in the preamble is a
        // delimiter to some parsers and not to others.
        int position = raw.AsSpan().IndexOf(dash);
        if (position < 0)
            throw new MalformedMultipartException("The body never opens the declared boundary.");
        if (position > 0 && (position < 2 || raw[position - 2] != '\r' || raw[position - 1] != '\n'))
            throw new MalformedMultipartException("The preamble holds the boundary inside a line.");

        var parts = new List<MultipartPart>();
        while (true)
        {
            int after = position + dash.Length;
            if (after + 2 <= raw.Length && raw[after] == '-' && raw[after + 1] == '-')
            {
                if (raw.AsSpan(after + 2).IndexOfAnyExcept(" \t\r\n"u8) >= 0)
                    throw new MalformedMultipartException("Text follows the closing boundary.");
                return new MultipartBody(raw, mediaType, parts);
            }

            // Transport padding, then the line break that ends the delimiter line: "--boundaryX" is no delimiter to us.
            while (after < raw.Length && raw[after] is (byte)' ' or (byte)'\t') after++;
            if (after + 2 > raw.Length || raw[after] != '\r' || raw[after + 1] != '\n')
                throw new MalformedMultipartException("A boundary line holds more than the boundary or is not terminated.");
            int partStart = after + 2;

            int next = IndexOf(raw, delimiter, partStart - 2);
            if (next < 0)
                throw new MalformedMultipartException("The body ends without the closing boundary.");
            // "--b\r\n--b": the line break that ends one boundary line cannot also start the next delimiter.
            if (next < partStart)
                throw new MalformedMultipartException($"Part {parts.Count} is cut short: a boundary line is followed directly by the next boundary.");
            if (parts.Count == MaxParts)
                throw new MalformedMultipartException($"More than {MaxParts} parts.");
            parts.Add(ParsePart(raw, parts.Count, partStart, next));
            position = next + 2;
        }
    }

    /// <summary>
    /// The body the upstream gets: every part, with its header lines byte for byte as parsed (all but Content-Length,
    /// which only the framing decides) and its content or the replacement for its index, framed by a fresh boundary that occurs in no
    /// content. <paramref name="contentType"/> is the request's new Content-Type.
    /// </summary>
    public byte[] Write(IReadOnlyDictionary<int, byte[]> replacements, out string contentType)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        var contents = Parts.Select(p => replacements.TryGetValue(p.Index, out var r) ? r : Raw[p.BodyStart..p.BodyEnd]).ToList();
        string boundary;
        byte[] delimiter;
        do
        {
            boundary = "uploadguard-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        }
        while (contents.Any(c => c.AsSpan().IndexOf(delimiter) >= 0));

        using var output = new MemoryStream(contents.Sum(c => c.Length) + Parts.Count * 256 + 64);
        foreach (var part in Parts)
        {
            output.Write(delimiter);
            output.Write("\r\n"u8);
            foreach (var (name, line) in part.RawHeaders)
            {
                if (name.Equals(MultipartPart.ContentLengthHeader, StringComparison.OrdinalIgnoreCase)) continue;
                output.Write(line);
                output.Write("\r\n"u8);
            }
            output.Write("\r\n"u8);
            output.Write(contents[part.Index]);
            output.Write("\r\n"u8);
        }
        output.Write(delimiter);
        output.Write("--\r\n"u8);
        contentType = MediaType.WithBoundary(boundary);
        return output.ToArray();
    }

    private static MultipartPart ParsePart(byte[] raw, int index, int start, int end)
    {
        // A part with no headers starts directly with the empty line.
        int headerEnd = raw.AsSpan(start, end - start).StartsWith("\r\n"u8) ? start : IndexOf(raw, "\r\n\r\n"u8.ToArray(), start, end);
        if (headerEnd < 0)
            throw new MalformedMultipartException($"Part {index} has no end to its headers.");
        if (headerEnd - start > MaxHeaderBytesPerPart)
            throw new MalformedMultipartException($"Part {index} has more than {MaxHeaderBytesPerPart} bytes of headers.");

        var headers = new OrderedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var rawHeaders = new List<KeyValuePair<string, byte[]>>();
        for (int line = start; line < headerEnd;)
        {
            int next = raw.AsSpan(line, headerEnd - line).IndexOf("\r\n"u8);
            int lineEnd = next < 0 ? headerEnd : line + next;
            var bytes = raw.AsSpan(line, lineEnd - line);
            line = lineEnd + 2;
            if (rawHeaders.Count == MaxHeadersPerPart)
                throw new MalformedMultipartException($"Part {index} has more than {MaxHeadersPerPart} headers.");
            int colon = bytes.IndexOf((byte)':');
            if (colon <= 0 || !Encoding.ASCII.GetString(bytes[..colon]).All(StrictMediaType.IsTokenChar))
                throw new MalformedMultipartException($"Part {index} has a malformed or folded header line.");
            // Bytes, not text, are what the upstream gets back: any control character (a bare CR or LF above all) could
            // end the line for one parser and not for another. Values are otherwise opaque (file names need not be UTF-8).
            if (bytes[(colon + 1)..].IndexOfAnyInRange((byte)0, (byte)8) >= 0 || bytes[(colon + 1)..].IndexOfAnyInRange((byte)10, (byte)31) >= 0
                || bytes[(colon + 1)..].IndexOf((byte)0x7F) >= 0)
                throw new MalformedMultipartException($"Part {index} has a control character or a bare line break in a header.");
            var name = Encoding.ASCII.GetString(bytes[..colon]);
            if (!headers.TryAdd(name, Encoding.UTF8.GetString(bytes[(colon + 1)..]).Trim(' ', '\t')))
                throw new MalformedMultipartException($"Part {index} repeats its {name} header.");
            rawHeaders.Add(new(name, bytes.ToArray()));
        }
        int bodyStart = headerEnd == start ? start + 2 : headerEnd + 4;
        var part = new MultipartPart(index, headers, bodyStart, end) { RawHeaders = rawHeaders };
        Check(part);
        return part;
    }

    /// <summary>The headers that change what the content means, which the gateway must understand or refuse.</summary>
    private static void Check(MultipartPart part)
    {
        if (part.Headers.TryGetValue(MultipartPart.ContentLengthHeader, out var declared)
            && (!long.TryParse(declared, NumberStyles.None, CultureInfo.InvariantCulture, out long length) || length != part.Length))
            throw new MalformedMultipartException($"Part {part.Index} declares a Content-Length of '{declared}' but holds {part.Length:N0} bytes.");
        if (part.Headers.TryGetValue("Content-Transfer-Encoding", out var transfer) && !IdentityTransferEncodings.Contains(transfer, StringComparer.OrdinalIgnoreCase))
            throw new UnsupportedPartException("unsupported_transfer_encoding", $"Part '{part.Name}' uses the transfer encoding '{transfer}'; only 7bit, 8bit and binary can be inspected.", part.Name);
        if (part.Headers.TryGetValue("Content-Encoding", out var coding) && !coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedPartException("unsupported_content_encoding", $"Part '{part.Name}' is compressed ('{coding}'), so its images cannot be inspected.", part.Name);
        if (StrictMediaType.MentionsMultipart(part.ContentType))
            throw new UnsupportedPartException("nested_multipart", $"Part '{part.Name}' is itself multipart; send each file as its own part of the form.", part.Name);
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int from, int to = -1)
    {
        int limit = to < 0 ? haystack.Length : to;
        int found = haystack.AsSpan(from, limit - from).IndexOf(needle);
        return found < 0 ? -1 : from + found;
    }
}
