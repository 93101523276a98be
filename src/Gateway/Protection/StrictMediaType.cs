using System.Text;
using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Protection;

/// <summary>
/// A Content-Type read by the letter of RFC 9110 (<c>type/subtype *( OWS ";" OWS [ token "=" ( token / quoted-string ) ] )</c>)
/// and nothing more lenient. Parsers disagree on the rest (unclosed quotes, a second media
/// type after a comma, a repeated boundary), and a body framed by a boundary the gateway did not see is a body it did
/// not inspect, so on a protected route anything outside the grammar is refused instead of guessed at.
/// </summary>
public sealed record StrictMediaType(string Type, string Subtype, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>Longest boundary RFC 2046 allows.</summary>
    public const int MaxBoundaryLength = 70;

    private const string BoundaryCharacters = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";

    public string MediaType => $"{Type}/{Subtype}";

    public bool IsMultipart => Type == "multipart";

    /// <summary>The boundary of a multipart type, checked against RFC 2046's characters and length.</summary>
    /// <exception cref="MalformedMultipartException">Missing, empty, too long or holding characters outside RFC 2046.</exception>
    public string Boundary
    {
        get
        {
            if (!Parameters.TryGetValue("boundary", out var boundary) || boundary.Length is 0 or > MaxBoundaryLength)
                throw new MalformedMultipartException($"{MediaType} needs a boundary of 1 to {MaxBoundaryLength} characters.");
            if (boundary.Any(c => !BoundaryCharacters.Contains(c, StringComparison.Ordinal)) || boundary.EndsWith(' '))
                throw new MalformedMultipartException("The multipart boundary holds characters RFC 2046 does not allow.");
            return boundary;
        }
    }

    /// <summary>True when the text says "multipart" anywhere: such a header must parse as a multipart type or be refused.</summary>
    public static bool MentionsMultipart(string? value) => value?.Contains("multipart", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Parses one Content-Type value; type, subtype and parameter names come out lower-case.</summary>
    public static bool TryParse(string? value, out StrictMediaType? mediaType)
    {
        mediaType = null;
        if (string.IsNullOrEmpty(value)) return false;
        int i = 0;
        SkipWhitespace(value, ref i);
        if (!TryToken(value, ref i, out var type) || i >= value.Length || value[i] != '/') return false;
        i++;
        if (!TryToken(value, ref i, out var subtype)) return false;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            SkipWhitespace(value, ref i);
            if (i == value.Length) break;
            if (value[i] != ';') return false;
            i++;
            SkipWhitespace(value, ref i);
            if (i == value.Length || value[i] == ';') continue;   // RFC 9110 lets a parameter be empty ("a/b;; c=d")
            if (!TryToken(value, ref i, out var name) || i >= value.Length || value[i] != '=') return false;
            i++;
            string? parameter = i < value.Length && value[i] == '"' ? QuotedString(value, ref i) : TryToken(value, ref i, out var token) ? token : null;
            if (parameter is null || !parameters.TryAdd(name.ToLowerInvariant(), parameter)) return false;
        }
        mediaType = new StrictMediaType(type.ToLowerInvariant(), subtype.ToLowerInvariant(), parameters);
        return true;
    }

    /// <summary>This type with its boundary replaced: the Content-Type of a body the gateway framed itself.</summary>
    public string WithBoundary(string boundary)
    {
        var text = new StringBuilder(MediaType);
        foreach (var (name, value) in Parameters.Where(p => p.Key != "boundary").Append(new("boundary", boundary)))
        {
            text.Append("; ").Append(name).Append('=');
            if (value.Length > 0 && value.All(IsTokenChar))
                text.Append(value);
            else
                text.Append('"').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }
        return text.ToString();
    }

    private static void SkipWhitespace(string value, ref int i)
    {
        while (i < value.Length && value[i] is ' ' or '\t') i++;
    }

    private static bool TryToken(string value, ref int i, out string token)
    {
        int start = i;
        while (i < value.Length && IsTokenChar(value[i])) i++;
        token = value[start..i];
        return i > start;
    }

    private static string? QuotedString(string value, ref int i)
    {
        var text = new StringBuilder();
        for (i++; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '"')
            {
                i++;
                return text.ToString();
            }
            if (c == '\\')
            {
                if (++i == value.Length || !IsQuotable(value[i])) return null;
                c = value[i];
            }
            else if (!IsQuotable(c))
            {
                return null;
            }
            text.Append(c);
        }
        return null;   // the quote never closes
    }

    private static bool IsQuotable(char c) => c is '\t' or (>= ' ' and <= '~');

    /// <summary>RFC 9110's tchar: what header names and unquoted parameter values are made of.</summary>
    internal static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
