namespace UploadGuard.Bench.Load;

/// <summary>How much load to send, and how patiently.</summary>
public sealed record LoadOptions
{
    public int Uploads { get; init; } = 2000;

    public int Concurrency { get; init; } = 32;

    /// <summary>Tries per upload: a 503 with Retry-After is retried after that delay (capped), as a polite client would.</summary>
    public int MaxAttempts { get; init; } = 10;

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The whole run is cancelled after this; whatever had not finished counts as lost.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public int Seed { get; init; } = 1;

    /// <summary>The route's budget, which forwarded images are checked against; null: the gateway's default (<c>/readyz</c>).</summary>
    public int? Epsilon { get; init; }

    /// <summary>The route prefix uploads go to, e.g. <c>/site/load-1234</c>; each upload adds <c>/{id}</c>.</summary>
    public string PathPrefix { get; init; } = "/site/load";
}
