using System.Globalization;

namespace UploadGuard.Bench.Load;

/// <summary>A process's memory as Linux reports it in /proc/{pid}/status.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size now, in bytes; 0 where there is no such file.</summary>
    public static long Rss(int processId) => Field(processId, "VmRSS");

    /// <summary>The kernel's high-water mark of the resident set since the process started, in bytes.</summary>
    public static long PeakRss(int processId) => Field(processId, "VmHWM");

    private static long Field(int processId, string field)
    {
        var path = $"/proc/{processId}/status";
        if (!File.Exists(path)) return 0;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
