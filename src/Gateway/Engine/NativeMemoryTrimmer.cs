using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace UploadGuard.Gateway.Engine;

/// <summary>
/// After a burst of uploads, returns the C allocator's free memory to the system. libtorch's tensors and ImageSharp's
/// unmanaged buffers come from glibc's malloc, which keeps what was freed in its arenas for reuse: measured here, a
/// 300-upload run left the gateway at about 900 MiB resident, of which about 560 MiB was native memory that nothing
/// used any more (docs/reliability.md). <c>malloc_trim(0)</c> hands those free pages back. It runs once per burst, when
/// the engine has been idle for <see cref="NativeMemoryOptions.TrimWhenIdleFor"/>, so it never slows protection down.
/// </summary>
public sealed partial class NativeMemoryTrimmer(ResilientProtection protection, IOptions<NativeMemoryOptions> options, ILogger<NativeMemoryTrimmer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.TrimWhenIdleFor;
        if (period <= TimeSpan.Zero || !OperatingSystem.IsLinux())
            return;

        long seen = protection.CallsFinished, trimmed = seen;
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                long finished = protection.CallsFinished;
                // Idle for a whole period (nothing in the engine, nothing finished since the last tick) after some work.
                if (protection.CallsInFlight == 0 && finished == seen && finished != trimmed)
                {
                    trimmed = finished;
                    if (!Trim())
                        return;
                }
                seen = finished;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>False where there is no glibc (musl, for instance): then the trimmer stops.</summary>
    private bool Trim()
    {
        long before = ResidentBytes();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int released;
        try
        {
            released = MallocTrim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            LogUnavailable(ex.Message);
            return false;
        }
        var elapsed = watch.Elapsed;
        long after = ResidentBytes();
        LogTrimmed(before / 1048576, after / 1048576, elapsed.TotalMilliseconds, released != 0);
        return true;
    }

    private static long ResidentBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine idle: trimmed the C allocator (memory released: {Released}), resident {BeforeMiB} MiB -> {AfterMiB} MiB in {Milliseconds:0} ms")]
    private partial void LogTrimmed(long beforeMiB, long afterMiB, double milliseconds, bool released);

    [LoggerMessage(Level = LogLevel.Information, Message = "Native memory trimming is unavailable here: {Problem}")]
    private partial void LogUnavailable(string problem);
}
