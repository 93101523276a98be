using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>An oriented, metadata-scrubbed image in 8-bit RGBA, with what was learned about its source.</summary>
public sealed class DecodedImage(Image<Rgba32> pixels, SourceImageInfo source) : IDisposable
{
    public Image<Rgba32> Pixels { get; } = pixels;

    public SourceImageInfo Source { get; } = source;

    public void Dispose() => Pixels.Dispose();
}
