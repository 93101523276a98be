namespace UploadGuard.ProtectionEngine.Datasets;

/// <summary>What to read from a folder or archive, and how to shape it for training.</summary>
public sealed record ImageDatasetOptions
{
    /// <summary>A folder (searched recursively) or a .tar / .tar.gz / .tgz archive.</summary>
    public required string Source { get; init; }

    /// <summary>Only files whose relative path starts with this (ordinal, '/' separators), e.g. <c>imagenette-224/train/</c>.</summary>
    public string? Subset { get; init; }

    /// <summary>Files whose relative path starts with any of these are left out.</summary>
    public IReadOnlyList<string> ExcludePrefixes { get; init; } = [];

    /// <summary>Most images kept in memory; null keeps every image in the subset.</summary>
    public int? MaxImages { get; init; }

    public DatasetSampling Sampling { get; init; } = DatasetSampling.Random;

    /// <summary>Seeds <see cref="DatasetSampling.Random"/>.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Side of the square every image is resized (shorter side) and centre-cropped to.</summary>
    public int ImageSize { get; init; } = 112;

    /// <summary>Larger files are skipped unread as undecodable; a training photo has no business being bigger.</summary>
    public long MaxFileBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>Larger images are skipped from their header, before any pixel buffer exists.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Source))
            throw new ArgumentException("A dataset source (folder or archive) is required.", nameof(Source));
        if (ImageSize is < 8 or > 2048)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, "The image size must be between 8 and 2048 pixels.");
        if (MaxImages is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxImages), MaxImages, "The image cap must be at least 1.");
        if (MaxFileBytes < 1 || MaxPixels < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), "File caps must be positive.");
    }
}
