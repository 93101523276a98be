namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>
/// What a removal left of a protection, over 8-bit values: the share back within one level of the clean value, the
/// share restored exactly, and the share of the applied change (protected minus clean) still there, by projection onto
/// it (0 when all of it came off, negative when more came off than was applied). The benchmarks that grade removal
/// (EngineBench's removal mode, the identity benchmark's removed row) add their values here so that both report the
/// same figures.
/// </summary>
public sealed class RemovalResidue
{
    private long values, withinOneLevel, exact;
    private double leftOnApplied, appliedPower;

    /// <summary>Values added so far.</summary>
    public long Values => values;

    public double WithinOneLevel => values == 0 ? 0 : (double)withinOneLevel / values;

    public double Exact => values == 0 ? 0 : (double)exact / values;

    /// <summary>0 when nothing was applied.</summary>
    public double AppliedLeft => appliedPower == 0 ? 0 : leftOnApplied / appliedPower;

    public void Add(int clean, int protectedValue, int removed)
    {
        int left = removed - clean, applied = protectedValue - clean;
        values++;
        withinOneLevel += Math.Abs(left) <= 1 ? 1 : 0;
        exact += left == 0 ? 1 : 0;
        leftOnApplied += (double)left * applied;
        appliedPower += (double)applied * applied;
    }

    /// <summary>Adds same-length planes of values, position by position.</summary>
    public void Add(ReadOnlySpan<byte> clean, ReadOnlySpan<byte> protectedValues, ReadOnlySpan<byte> removed)
    {
        if (clean.Length != protectedValues.Length || clean.Length != removed.Length)
            throw new ArgumentException($"Lengths differ: {clean.Length}, {protectedValues.Length}, {removed.Length}.");
        for (int i = 0; i < clean.Length; i++)
            Add(clean[i], protectedValues[i], removed[i]);
    }
}
