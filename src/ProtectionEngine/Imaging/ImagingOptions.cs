namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>Limits and policies for untrusted images. Every cap is checked before pixels are decoded.</summary>
public sealed class ImagingOptions
{
    public const string SectionName = "Imaging";

    /// <summary>Largest encoded image accepted, in bytes.</summary>
    public long MaxBytes { get; set; } = 50 * 1024 * 1024;

    public int MaxWidth { get; set; } = 16_384;

    public int MaxHeight { get; set; } = 16_384;

    /// <summary>Largest pixel count (width x height) accepted; 40 MP by default.</summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Upper bound for ImageSharp's pooled allocations, so one crafted image cannot take the process down.</summary>
    public int MemoryLimitMegabytes { get; set; } = 2048;

    public MetadataPolicy Metadata { get; set; } = MetadataPolicy.StripPersonal;

    /// <summary>
    /// JPEG output quality (always 4:4:4). 100 by default: at 95 the encoder's own error is 5-8 levels on Kodak-24, so no
    /// re-projection brings the decoded change near epsilon; at 100 it is at most 3 and the rounds bring it to epsilon + 1
    /// (docs/protection.md's table). Files are about 1.5 times the size of quality 95.
    /// </summary>
    public int JpegQuality { get; set; } = 100;

    /// <summary>
    /// Re-encodings a JPEG output may get to bring its decoded L-infinity within epsilon + 1 (JpegReprojection); each
    /// costs one encode and one decode. 0 encodes once.
    /// </summary>
    public int JpegReprojectionRounds { get; set; } = 8;

    /// <summary>
    /// Also decode JPEG output with libjpeg (<see cref="LibJpeg"/>, where the system has libturbojpeg), report its figure
    /// and hold it to the same target in the re-projection rounds; off: the engine's decoder only.
    /// </summary>
    public bool CheckJpegWithLibjpeg { get; set; } = true;
}
