namespace UploadGuard.Bench.Engine;

/// <summary>How an owner-texture model's atoms spread their power over spatial frequency (a plain 2-D DFT per channel).</summary>
internal static class AtomSpectrum
{
    /// <param name="atoms">[<paramref name="count"/>, channels, period, period], row-major (the colour, luminance and dual layouts differ in channels).</param>
    /// <param name="minimumRadius">Frequencies at this many cycles per period or more (by the folded radius) count as high.</param>
    public static IReadOnlyList<(int Atom, double Power, double Share)> HighFrequencyShares(float[] atoms, int count, int period, double minimumRadius)
    {
        int plane = period * period;
        int channels = atoms.Length / (count * plane);
        var result = new List<(int, double, double)>();
        for (int atom = 0; atom < count; atom++)
        {
            double total = 0, high = 0;
            for (int c = 0; c < channels; c++)
            {
                var x = atoms.AsSpan((atom * channels + c) * plane, plane);
                double mean = 0;
                foreach (float v in x) mean += v;
                var power = PlanePower(x, period, mean / plane);
                for (int u = 0; u < period; u++)
                {
                    for (int w = 0; w < period; w++)
                    {
                        double radius = Math.Sqrt(Math.Pow(Math.Min(u, period - u), 2) + Math.Pow(Math.Min(w, period - w), 2));
                        total += power[u * period + w];
                        if (radius >= minimumRadius)
                            high += power[u * period + w];
                    }
                }
            }
            result.Add((atom, total, total > 0 ? high / total : 0));
        }
        return result;
    }

    /// <summary>The power of each DFT bin [u * period + w] of one period x period plane, less <paramref name="offset"/> first.</summary>
    public static double[] PlanePower(ReadOnlySpan<float> x, int period, double offset = 0)
    {
        var power = new double[period * period];
        for (int u = 0; u < period; u++)
        {
            for (int w = 0; w < period; w++)
            {
                double re = 0, im = 0;
                for (int i = 0; i < period; i++)
                {
                    for (int j = 0; j < period; j++)
                    {
                        double angle = -2 * Math.PI * ((double)u * i + (double)w * j) / period;
                        double value = x[i * period + j] - offset;
                        re += value * Math.Cos(angle);
                        im += value * Math.Sin(angle);
                    }
                }
                power[u * period + w] = re * re + im * im;
            }
        }
        return power;
    }
}
