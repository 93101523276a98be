namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>Which images a capped load keeps.</summary>
public enum DatasetSampling
{
    /// <summary>
    /// A seeded uniform sample of all images in the subset (reservoir sampling, one pass). The default: the shared
    /// archives store one class after another, so the first N images can all be one class.
    /// </summary>
    Random,

    /// <summary>The first N images in source order; stops reading early (fast for tests and smoke runs).</summary>
    First,
}
