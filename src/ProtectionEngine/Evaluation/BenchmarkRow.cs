namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>One training set the benchmark trains victims on; every row is tested on the same clean test images.</summary>
public enum BenchmarkRow
{
    /// <summary>The clean training images: the reference accuracy.</summary>
    Clean,

    /// <summary>The training images protected by the engine.</summary>
    Protected,

    /// <summary>Protected, then re-encoded as JPEG quality 75 by the attacker.</summary>
    Jpeg75,

    /// <summary>Protected, then JPEG quality 10.</summary>
    Jpeg10,

    /// <summary>Protected, then converted to grayscale.</summary>
    Grayscale,

    /// <summary>Protected, then downscaled to half and back.</summary>
    Downscale,

    /// <summary>
    /// The clean images re-encoded as JPEG quality 75: what the countermeasure costs a victim on its own, the reference
    /// for <see cref="Jpeg75"/>.
    /// </summary>
    CleanJpeg75,

    /// <summary>The clean images as JPEG quality 10, the reference for <see cref="Jpeg10"/>.</summary>
    CleanJpeg10,

    /// <summary>The clean images in grayscale, the reference for <see cref="Grayscale"/>.</summary>
    CleanGrayscale,

    /// <summary>The clean images downscaled to half and back, the reference for <see cref="Downscale"/>.</summary>
    CleanDownscale,

    /// <summary>Sanity check, not our method: class-wise +-epsilon noise in blocks, 8x8 by default (uses labels).</summary>
    SanityBlock,

    /// <summary>Sanity check, not our method: class-wise +-epsilon noise per pixel (uses labels).</summary>
    SanityPixel,

    /// <summary>
    /// Label-agnostic: the block noise keyed by k-means concepts of the surrogate's features instead of classes, the
    /// best a protector that conditions fixed patterns on the surrogate's concepts could do (<see cref="ConceptNoise"/>).
    /// </summary>
    ConceptBlock,

    /// <summary>
    /// Label-agnostic: a block pattern per photo, the signs of random projections of its surrogate features, so that
    /// photos the surrogate sees as alike get alike patterns (<see cref="ConceptHashNoise"/>).
    /// </summary>
    ConceptHash,
}
