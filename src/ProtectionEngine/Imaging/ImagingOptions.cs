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

    /// <summary>JPEG output quality; below 95 the perturbation is visibly eaten by quantisation.</summary>
    public int JpegQuality { get; set; } = 95;
}
