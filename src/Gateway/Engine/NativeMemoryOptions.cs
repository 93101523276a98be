namespace UploadGuard.Gateway.Engine;

/// <summary>Giving native memory back after load (configuration section "NativeMemory").</summary>
public sealed class NativeMemoryOptions
{
    public const string SectionName = "NativeMemory";

    /// <summary>
    /// How long the engine must have been idle (no image in it, none finished) before the C allocator is asked to return
    /// its free pages to the system; <see cref="TimeSpan.Zero"/> turns this off. Linux with glibc only.
    /// </summary>
    public TimeSpan TrimWhenIdleFor { get; set; } = TimeSpan.FromSeconds(10);
}
