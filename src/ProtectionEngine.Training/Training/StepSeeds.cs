namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Seeds derived from the run's seed and a step number, so that every step's random choices are the same whether the
/// run went straight through or resumed from a checkpoint (no generator state has to be saved).
/// </summary>
public static class StepSeeds
{
    public static int Mix(int seed, long value, int stream)
    {
        // SplitMix64 finaliser: neighbouring steps get unrelated seeds. string.GetHashCode would differ per process.
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)value * 0xBF58476D1CE4E5B9UL + (ulong)stream * 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return unchecked((int)z);
    }
}
