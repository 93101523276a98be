namespace UploadGuard.ProtectionEngine.Evaluation.Countermeasures;

/// <summary>Every countermeasure the benchmarks know; each one here gives both benchmarks its two rows.</summary>
internal static class CountermeasureCatalog
{
    /// <summary>A common re-encode.</summary>
    public static Countermeasure Jpeg75 { get; } = new JpegRecompression(75);

    /// <summary>Heavy compression, from the ISS study's strongest setting.</summary>
    public static Countermeasure Jpeg10 { get; } = new JpegRecompression(10);

    public static Countermeasure Grey { get; } = new GreyConversion();

    public static Countermeasure Downscale { get; } = new HalfDownscale();

    public static IReadOnlyList<Countermeasure> All { get; } = [Jpeg75, Jpeg10, Grey, Downscale];
}
