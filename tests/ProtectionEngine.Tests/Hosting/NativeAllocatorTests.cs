using System.Runtime.InteropServices;
using UploadGuard.ProtectionEngine.Hosting;

namespace UploadGuard.ProtectionEngine.Tests.Hosting;

public sealed class NativeAllocatorTests
{
    private const long IsMmapped = 0x2;   // glibc's flag in the size field in front of each block

    [LinuxFact]
    public void Once_applied_a_block_over_glibcs_mmap_ceiling_comes_from_the_heap()
    {
        Assert.True(NativeAllocator.KeepFreedMemory());

        var block = Marshal.AllocHGlobal(48 << 20);   // over the 32 MiB past which glibc always maps a block
        try
        {
            Assert.Equal(0, Marshal.ReadInt64(block, -8) & IsMmapped);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }

    [LinuxFact]
    public void An_operators_own_malloc_setting_wins()
    {
        Environment.SetEnvironmentVariable("MALLOC_MMAP_MAX_", "65536");
        try
        {
            Assert.False(NativeAllocator.KeepFreedMemory());
        }
        finally
        {
            Environment.SetEnvironmentVariable("MALLOC_MMAP_MAX_", null);
        }
    }

    private sealed class LinuxFactAttribute : FactAttribute
    {
        public LinuxFactAttribute()
        {
            if (!OperatingSystem.IsLinux())
                Skip = "glibc's allocator is Linux-only";
        }
    }
}
