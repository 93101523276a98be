namespace UploadGuard.Gateway.Admin;

/// <summary>
/// Retraining (configuration section "Admin", beside the admin tokens): the worker process, where jobs live, upload
/// limits and the gate, e.g. <c>Admin__RetrainWorker=/app/cli/uploadguard.dll</c>.
/// </summary>
public sealed class RetrainingOptions
{
    public const string SectionName = "Admin";

    /// <summary>
    /// The retraining worker, the CLI's <c>uploadguard retrain</c>: a path ending in <c>.dll</c> is started with this
    /// process's dotnet host, anything else as an executable. Unset: <see cref="RetrainWorker.DefaultRelativePath"/>
    /// beside the gateway, as the container images lay it out. Without a worker, retraining answers 503.
    /// </summary>
    public string? RetrainWorker { get; set; }

    /// <summary>How long a worker asked to stop (a cancel, the gateway stopping) may take to checkpoint before it is killed.</summary>
    public TimeSpan RetrainWorkerGracePeriod { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Where retraining jobs keep uploads, unpacked photos, state and checkpoints (survives restarts).</summary>
    public string WorkPath { get; set; } = Path.Combine(Path.GetTempPath(), "uploadguard-admin");

    /// <summary>Server-side datasets an admin may name instead of uploading one: name to folder or archive path.</summary>
    public Dictionary<string, string> Datasets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Largest dataset upload, in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest total size of the files unpacked from one upload.</summary>
    public long MaxUnpackedBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Largest single unpacked file.</summary>
    public long MaxEntryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest unpacked-to-packed size ratio, for the archive and for each zip entry (zip bombs).</summary>
    public double MaxCompressionRatio { get; set; } = 100;

    public int MaxEntries { get; set; } = 200_000;

    /// <summary>Training steps between checkpoints (what a restarted gateway resumes from).</summary>
    public int CheckpointInterval { get; set; } = 100;

    /// <summary>Lowest mean PSNR (dB) a new version may have on the gate's held-out photos.</summary>
    public double GateMinimumPsnr { get; set; } = 30;

    /// <summary>Photos the gate measures both versions on.</summary>
    public int GateSampleSize { get; set; } = 64;
}
