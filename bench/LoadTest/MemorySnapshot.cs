using System.Globalization;

namespace UploadGuard.Bench.Load;

/// <summary>
/// Where a process's memory is: resident set from /proc/{pid}/status (anonymous and file-backed), and the managed heap
/// from the gateway's own /metrics (the runtime's "System.Runtime" meter: heap size and committed bytes after the last
/// GC). Resident memory that is neither file-backed nor committed by the GC is native: libtorch, ImageSharp's pools, the
/// C allocator's arenas.
/// </summary>
public sealed record MemorySnapshot(long Rss, long RssAnon, long RssFile, double GcHeap, double GcCommitted, double Gen2Collections)
{
    public static async Task<MemorySnapshot> TakeAsync(int processId, Uri gateway)
    {
        var status = File.Exists($"/proc/{processId}/status") ? File.ReadAllLines($"/proc/{processId}/status") : [];
        long Kb(string field) => status.FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024
            : 0;

        using var http = new HttpClient { BaseAddress = gateway };
        var metrics = (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
        // Sum over every label set of a metric (heap size is reported per generation).
        double Sum(string name) => metrics
            .Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
        return new MemorySnapshot(Kb("VmRSS"), Kb("RssAnon"), Kb("RssFile"),
            Sum("dotnet_gc_last_collection_heap_size_bytes"), Sum("dotnet_gc_last_collection_memory_committed_size_bytes"),
            metrics.Where(l => l.StartsWith("dotnet_gc_collections_total{", StringComparison.Ordinal) && l.Contains("gen2", StringComparison.Ordinal))
                .Sum(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)));
    }

    public string ToMarkdownRow(string label)
    {
        static string Mib(double bytes) => double.IsNaN(bytes) ? "?" : (bytes / 1048576).ToString("0", CultureInfo.InvariantCulture);
        return $"| {label} | {Mib(Rss)} | {Mib(RssAnon)} | {Mib(RssFile)} | {Mib(GcHeap)} | {Mib(GcCommitted)} | {Mib(RssAnon - GcCommitted)} | {Gen2Collections:0} |";
    }

    public const string MarkdownHeader =
        "| gateway memory (MiB) | RSS | anonymous | file-backed | GC heap | GC committed | anonymous minus GC committed (native) | gen2 GCs |\n|---|---|---|---|---|---|---|---|";
}
