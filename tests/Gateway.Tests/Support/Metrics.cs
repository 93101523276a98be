using System.Globalization;
using System.Text.RegularExpressions;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>A Prometheus text scrape, read just enough to sum a counter's samples over the labels a test names.</summary>
public sealed partial class Metrics
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public static Metrics Parse(string scrape)
    {
        var metrics = new Metrics();
        foreach (var line in scrape.Split('\n'))
        {
            var match = Sample().Match(line);
            if (!match.Success) continue;
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            metrics._samples.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return metrics;
    }

    /// <summary>The sum of <paramref name="name"/>'s samples whose labels include every one given (0 when none).</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}
