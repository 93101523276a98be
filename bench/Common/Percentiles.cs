namespace UploadGuard.Bench;

/// <summary>Order statistics of measured times, nearest-rank (no interpolation: every figure is one that was measured).</summary>
public static class Percentiles
{
    /// <param name="values">Any order; not modified.</param>
    /// <param name="p">0..1, e.g. 0.95.</param>
    /// <returns>The smallest value with at least <paramref name="p"/> of the values at or below it; NaN when empty.</returns>
    public static double Of(IEnumerable<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> values) => Of(values, 0.5);
}
