using System.Globalization;

namespace UploadGuard.Bench.Load;

/// <summary>
/// One scrape of the gateway's Prometheus <c>/metrics</c> text: every sample with its labels. Counters and histogram
/// series only grow, so two snapshots taken around a phase give what happened during it.
/// </summary>
public sealed class PrometheusSnapshot
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> samples;

    private PrometheusSnapshot(List<(string, Dictionary<string, string>, double)> samples) => this.samples = samples;

    public static async Task<PrometheusSnapshot> ScrapeAsync(HttpClient http, Uri gateway) =>
        Parse(await http.GetStringAsync(new Uri(gateway, "/metrics")));

    /// <summary>Reads the text exposition format: <c>name{label="value",...} value [timestamp]</c>; comments are skipped.</summary>
    public static PrometheusSnapshot Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            int brace = line.IndexOf('{', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            string name;
            string rest;
            if (brace >= 0 && (space < 0 || brace < space))
            {
                name = line[..brace];
                int close = ReadLabels(line, brace + 1, labels);
                rest = line[(close + 1)..].Trim();
            }
            else
            {
                name = space < 0 ? line : line[..space];
                rest = space < 0 ? "" : line[(space + 1)..].Trim();
            }
            var valueText = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (valueText is not null && double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                samples.Add((name, labels, value));
        }
        return new PrometheusSnapshot(samples);
    }

    /// <summary>The sum of every sample called <paramref name="name"/> whose labels include <paramref name="label"/> (when given).</summary>
    public double Sum(string name, (string Key, string Value)? label = null) =>
        samples.Where(s => s.Name == name && (label is not { } l || (s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))).Sum(s => s.Value);

    /// <summary>
    /// The cumulative buckets of histogram <paramref name="name"/> (its <c>_bucket</c> series, summed over every other
    /// label), by upper bound ascending; the last is +Inf.
    /// </summary>
    public IReadOnlyList<(double UpperBound, double Count)> Buckets(string name) =>
        samples.Where(s => s.Name == name + "_bucket" && s.Labels.ContainsKey("le"))
            .GroupBy(s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Sum(s => s.Value)))
            .ToList();

    private static int ReadLabels(string line, int at, Dictionary<string, string> labels)
    {
        int i = at;
        while (i < line.Length && line[i] != '}')
        {
            int equals = line.IndexOf('=', i);
            var key = line[i..equals].Trim().TrimStart(',').Trim();
            i = equals + 2;   // past ="
            var value = new System.Text.StringBuilder();
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                    i++;
                value.Append(line[i++]);
            }
            labels[key] = value.ToString();
            i++;   // past the closing quote
            while (i < line.Length && (line[i] == ',' || line[i] == ' '))
                i++;
        }
        return i;
    }
}
