namespace UploadGuard.ProtectionEngine.Batching;

/// <summary>How concurrent generator calls are gathered into batches.</summary>
public sealed class BatchingOptions
{
    public const string SectionName = "Batching";

    /// <summary>Largest number of images in one generator pass.</summary>
    public int MaxBatchSize { get; set; } = 8;

    /// <summary>How long the first image of a batch waits for company.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Images allowed to wait for the generator; beyond this, calls are refused at once.</summary>
    public int QueueCapacity { get; set; } = 128;
}
