namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>What a dataset load saw and why it left files out.</summary>
/// <param name="FilesInSubset">Regular files whose path matched the subset.</param>
/// <param name="Images">
/// Images among them: decoded ones, or with random sampling under a cap every file with an image signature (only the
/// sampled ones are decoded), less those that failed to decode. A first-N load stops counting when it is full.
/// </param>
/// <param name="SkippedNotImages">Files that are not JPEG, PNG or WebP by their magic bytes (text files, other formats).</param>
/// <param name="SkippedUndecodable">Files that looked like images but could not be decoded, or were over the size caps.</param>
/// <param name="Kept">Images kept in memory (at most the cap).</param>
public sealed record DatasetLoadStatistics(int FilesInSubset, int Images, int SkippedNotImages, int SkippedUndecodable, int Kept)
{
    public int Skipped => SkippedNotImages + SkippedUndecodable;
}
