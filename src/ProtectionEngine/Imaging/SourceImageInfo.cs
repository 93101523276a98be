namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>What the engine learned about an input image while decoding it.</summary>
/// <param name="Format">The format found by magic bytes.</param>
/// <param name="Width">Width after EXIF orientation was applied.</param>
/// <param name="Height">Height after EXIF orientation was applied.</param>
/// <param name="HasAlpha">The source carries an alpha channel (kept untouched).</param>
/// <param name="IsGrayscale">The source is single-channel gray; the perturbation stays gray.</param>
/// <param name="BitsPerChannel">Source bit depth per channel; 16-bit sources are processed and written at 8 bits.</param>
/// <param name="OrientationApplied">The EXIF orientation that was applied (1 = none).</param>
/// <param name="WebpLossy">For WebP: whether the source was lossy.</param>
public sealed record SourceImageInfo(
    ImageFormatKind Format,
    int Width,
    int Height,
    bool HasAlpha,
    bool IsGrayscale,
    int BitsPerChannel,
    ushort OrientationApplied,
    bool WebpLossy);
