using System.Globalization;
using System.Text;

namespace UploadGuard.Bench.Load;

/// <summary>What a load run saw from both sides, and whether the two agree.</summary>
public sealed record LoadReport
{
    public required int Uploads { get; init; }

    public required int Concurrency { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>Final outcome per kind of upload, as "one: 201 perturbed", "damaged: 422 truncated", "two: lost: ...".</summary>
    public required IReadOnlyDictionary<string, int> Outcomes { get; init; }

    /// <summary>Every attempt's status (retries included).</summary>
    public required IReadOnlyDictionary<int, int> Attempts { get; init; }

    public required int Status503 { get; init; }

    public required int Status503WithRetryAfter { get; init; }

    public required int Forwarded { get; init; }

    public required int Refused { get; init; }

    /// <summary>Uploads with no explicit answer (timeout, exception, deadline) or whose upstream record does not match.</summary>
    public required IReadOnlyList<string> Lost { get; init; }

    /// <summary>Complete upstream records: all of them, those of forwarded uploads, and any extra (duplicates, refused ones).</summary>
    public required int UpstreamRecords { get; init; }

    public required int UpstreamUnexpected { get; init; }

    public required int ImagesVerified { get; init; }

    public required double LatencyP50Ms { get; init; }

    public required double LatencyP95Ms { get; init; }

    public required double LatencyP99Ms { get; init; }

    public required long PeakRssBytes { get; init; }

    public required long RssBeforeBytes { get; init; }

    public required long RssAfterBytes { get; init; }

    public required long BytesSent { get; init; }

    public bool Reconciled => Lost.Count == 0 && UpstreamUnexpected == 0 && Forwarded + Refused == Uploads && UpstreamRecords == Forwarded;

    public double Throughput => (Forwarded + Refused) / Elapsed.TotalSeconds;

    public string ToMarkdown()
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine(c, $"| uploads | concurrency | wall time | answered/s | p50 / p95 / p99 ms (every attempt) | peak RSS (gateway) | RSS before / after |");
        s.AppendLine("|---|---|---|---|---|---|---|");
        s.AppendLine(c, $"| {Uploads:N0} | {Concurrency} | {Elapsed.TotalSeconds:0} s | {Throughput:0.0} | {LatencyP50Ms:0} / {LatencyP95Ms:0} / {LatencyP99Ms:0} | {PeakRssBytes / 1048576.0:0} MiB | {RssBeforeBytes / 1048576.0:0} / {RssAfterBytes / 1048576.0:0} MiB |");
        s.AppendLine();
        s.AppendLine("| kind of upload: final outcome | uploads |");
        s.AppendLine("|---|---|");
        foreach (var (outcome, count) in Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal)) s.AppendLine(c, $"| {outcome} | {count:N0} |");
        s.AppendLine();
        s.AppendLine(c, $"Attempts by status: {string.Join(", ", Attempts.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value:N0}"))}. ");
        s.AppendLine(c, $"503 answers: {Status503:N0}, of which with Retry-After: {Status503WithRetryAfter:N0}. ");
        s.AppendLine(c, $"Forwarded {Forwarded:N0} + refused {Refused:N0} = {Forwarded + Refused:N0} of {Uploads:N0}; upstream recorded {UpstreamRecords:N0} complete requests, unexpected {UpstreamUnexpected}; ");
        s.AppendLine(c, $"{ImagesVerified:N0} forwarded images decoded and checked against their originals; lost: {Lost.Count}; sent {BytesSent / 1048576.0:0.0} MiB. ");
        s.AppendLine(c, $"Reconciled: {(Reconciled ? "yes" : "NO")}.");
        return s.ToString();
    }
}
