using System.Globalization;

namespace UploadGuard.Bench;

/// <summary>
/// A benchmark's command line: an optional leading mode word, then <c>--name value</c> options and <c>--flag</c>
/// switches. Every option a program reads is remembered, so that <see cref="ThrowIfUnknown"/> can refuse a misspelt one
/// instead of silently measuring the defaults.
/// </summary>
public sealed class BenchArguments
{
    private readonly string[] args;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);
    private readonly HashSet<string> switches = new(StringComparer.Ordinal);

    public BenchArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        this.args = args;
        Mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : null;
    }

    /// <summary>The first word when it is not an option, e.g. <c>time</c>.</summary>
    public string? Mode { get; }

    /// <summary>Words after the mode that precede the first option (folders, for instance).</summary>
    public IReadOnlyList<string> Positional => args.Skip(Mode is null ? 0 : 1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();

    public string? Optional(string name)
    {
        read.Add(name);
        int i = Array.LastIndexOf(args, name);
        if (i < 0)
            return null;
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"{name} needs a value.");
        return args[i + 1];
    }

    public string Value(string name, string fallback) => Optional(name) ?? fallback;

    public int WholeNumber(string name, int fallback) => Optional(name) is { } text ? ParseInt(name, text) : fallback;

    public int? OptionalWholeNumber(string name) => Optional(name) is { } text ? ParseInt(name, text) : null;

    public double Number(string name, double fallback) =>
        Optional(name) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : throw new ArgumentException($"{name}: '{text}' is not a number.")
            : fallback;

    /// <summary>A comma-separated list of whole numbers, e.g. <c>--concurrency 1,8,32</c>.</summary>
    public IReadOnlyList<int> WholeNumbers(string name, IReadOnlyList<int> fallback) =>
        Optional(name) is { } text ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => ParseInt(name, t)).ToList() : fallback;

    public bool Flag(string name)
    {
        read.Add(name);
        switches.Add(name);
        return args.Contains(name, StringComparer.Ordinal);
    }

    /// <exception cref="ArgumentException">An option was given that the program never read.</exception>
    public void ThrowIfUnknown()
    {
        var unknown = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && !read.Contains(a)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown)}.");
    }

    private static int ParseInt(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw new ArgumentException($"{name}: '{text}' is not a whole number.");
}
