namespace UploadGuard.Bench.Load;

/// <summary>How a <see cref="LatencyComparison"/> loads the two routes.</summary>
public sealed record LatencyOptions
{
    /// <summary>Clients sending at once; every level runs on both routes.</summary>
    public IReadOnlyList<int> ConcurrencyLevels { get; init; } = [1, 8, 32];

    /// <summary>Timed uploads per route and level.</summary>
    public int Requests { get; init; } = 200;

    /// <summary>Uploads sent first at each route and level and not counted (connections, JIT, pools).</summary>
    public int WarmUp { get; init; } = 10;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public void Validate()
    {
        if (ConcurrencyLevels.Count == 0 || ConcurrencyLevels.Any(c => c < 1))
            throw new ArgumentException("Concurrency levels must be at least 1.");
        if (Requests < 1 || WarmUp < 0)
            throw new ArgumentException("At least one timed upload per phase, and no negative warm-up.");
    }
}
