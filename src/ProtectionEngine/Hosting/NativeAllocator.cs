using System.Runtime.InteropServices;

namespace UploadGuard.ProtectionEngine.Hosting;

/// <summary>
/// Tunes glibc's malloc for batch jobs (training, evaluation). glibc serves each block over 32 MiB with a fresh
/// <c>mmap</c> and unmaps it on free, so every such tensor faults all its pages in again. A ResNet-20 victim at 64 px
/// and batch 128 allocates 33.5 MB activations in each layer of its first stage, and on the 2-core development VM
/// those page faults took most of an epoch: 156-178 s against 30-32 s with freed memory kept (docs/performance.md).
/// A batch job reaches its peak resident size anyway, so keeping what it freed costs it nothing. The gateway does the
/// opposite (it trims after bursts) and does not call this.
/// </summary>
public static class NativeAllocator
{
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int MmapMax = -4;         // M_MMAP_MAX

    /// <summary>
    /// Serves large blocks from the heap and never trims it. Returns false where that does not apply: not Linux, a
    /// C library without glibc's <c>mallopt</c>, or an operator's own <c>MALLOC_MMAP_MAX_</c> or
    /// <c>MALLOC_TRIM_THRESHOLD_</c>, which win.
    /// </summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_MAX_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null)
            return false;
        try
        {
            return Mallopt(MmapMax, 0) == 1 && Mallopt(TrimThreshold, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
