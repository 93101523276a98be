using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Metadata.Profiles.Icc;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>
/// Decodes untrusted JPEG, PNG and WebP under caps, and encodes protected pixels back. Only those three formats are
/// registered, so GIF, TIFF, BMP and the rest are unreachable; sizes are checked by identifying the header before any
/// pixel buffer is allocated, and the allocator has a hard limit.
/// </summary>
public sealed class ImageCodec
{
    private readonly ImagingOptions _options;

    public ImageCodec(ImagingOptions options)
    {
        _options = options;
        Configuration = new Configuration(new JpegConfigurationModule(), new PngConfigurationModule(), new WebpConfigurationModule())
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = options.MemoryLimitMegabytes }),
            // The perturbation is applied row-parallel over one buffer; the pixel and byte caps bound its size.
            PreferContiguousImageBuffers = true,
        };
    }

    /// <summary>The restricted ImageSharp configuration every decode and encode goes through.</summary>
    public Configuration Configuration { get; }

    public ImagingOptions Options => _options;

    /// <summary>Checks the cheap things (size, magic bytes, declared dimensions) without decoding pixels.</summary>
    public (ImageFormatKind Format, int Width, int Height) Inspect(ReadOnlyMemory<byte> encoded)
    {
        if (encoded.IsEmpty)
            throw new ImageRejectedException(ImageRejectionReason.Empty, "The image is empty (0 bytes).");
        if (encoded.Length > _options.MaxBytes)
            throw new ImageRejectedException(ImageRejectionReason.TooManyBytes,
                $"The image is {encoded.Length:N0} bytes; the limit is {_options.MaxBytes:N0}.");

        var header = encoded.Span[..Math.Min(encoded.Length, ImageFormatSniffer.HeaderLength)];
        var format = ImageFormatSniffer.DetectSupported(header)
            ?? throw (ImageFormatSniffer.DetectUnsupported(header) is { } unsupported
                ? ImageRejectedException.UnsupportedFormat(unsupported)
                : new ImageRejectedException(ImageRejectionReason.Undecodable, "The data is not a JPEG, PNG or WebP image."));

        if (EncodedImageIntegrity.FindDamage(format, encoded.Span) is { } damage)
            throw new ImageRejectedException(ImageRejectionReason.Truncated, damage);

        IImageInfo? info;
        try
        {
            using var stream = AsStream(encoded);
            info = Image.Identify(Configuration, stream);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ImageRejectedException(ImageRejectionReason.Undecodable, $"The {format} header cannot be read: {ex.Message}", ex);
        }

        if (info is null)
            throw new ImageRejectedException(ImageRejectionReason.Undecodable, $"The {format} header cannot be read.");
        CheckDimensions(info.Width, info.Height);
        return (format, info.Width, info.Height);
    }

    /// <summary>Decodes to 8-bit RGBA, applies EXIF orientation (then resets the tag) and the metadata policy.</summary>
    public DecodedImage Decode(ReadOnlyMemory<byte> encoded, CancellationToken cancellationToken = default)
    {
        var (format, _, _) = Inspect(encoded);
        cancellationToken.ThrowIfCancellationRequested();
        // Here rather than in Inspect: it inflates the whole image, which the gateway's cheap route-cap check should not pay for.
        if (format == ImageFormatKind.Png && EncodedImageIntegrity.FindMissingPngData(encoded.Span) is { } missing)
            throw missing;

        Image<Rgba32> image;
        try
        {
            using var stream = AsStream(encoded);
            image = Image.Load<Rgba32>(Configuration, stream);
        }
        catch (InvalidMemoryOperationException ex)
        {
            throw new ImageRejectedException(ImageRejectionReason.TooManyPixels,
                $"Decoding needs more memory than the {_options.MemoryLimitMegabytes} MB limit.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ImageRejectedException(ImageRejectionReason.Undecodable, $"The {format} image cannot be decoded: {ex.Message}", ex);
        }

        try
        {
            var metadata = image.Metadata;
            if (metadata.IccProfile is null && IccProfileChunks.Extract(encoded.Span, format) is { } icc)
                metadata.IccProfile = new IccProfile(icc);
            ushort orientation = metadata.ExifProfile?.GetValue(ExifTag.Orientation)?.Value ?? 1;
            if (orientation is > 1 and <= 8)
                image.Mutate(x => x.AutoOrient());
            metadata.ExifProfile?.RemoveValue(ExifTag.Orientation);
            PersonalMetadataScrubber.Apply(metadata, _options.Metadata);

            var source = new SourceImageInfo(
                format,
                image.Width,
                image.Height,
                HasAlpha: DeclaresAlpha(format, image),
                IsGrayscale: IsGrayscale(format, image),
                BitsPerChannel: format == ImageFormatKind.Png && metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16 ? 16 : 8,
                OrientationApplied: orientation is > 1 and <= 8 ? orientation : (ushort)1,
                WebpLossy: format == ImageFormatKind.Webp && metadata.GetWebpMetadata().FileFormat == WebpFileFormatType.Lossy);
            return new DecodedImage(image, source);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>The format an image will be written in, refusing combinations that would lose information.</summary>
    public static ImageFormatKind ResolveOutputFormat(SourceImageInfo source, OutputFormat requested)
    {
        var target = requested switch
        {
            OutputFormat.Keep => source.Format,
            OutputFormat.Png => ImageFormatKind.Png,
            OutputFormat.Jpeg => ImageFormatKind.Jpeg,
            OutputFormat.Webp => ImageFormatKind.Webp,
            _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, null),
        };
        if (target == ImageFormatKind.Jpeg && source.HasAlpha)
            throw new ImageRejectedException(ImageRejectionReason.OutputCannotRepresent,
                "The image has transparency, which JPEG cannot store; ask for PNG or WebP (or keep the format).");
        return target;
    }

    /// <summary>Encodes protected pixels: JPEG at high quality with full-resolution chroma, PNG and WebP lossless.</summary>
    public byte[] Encode(Image<Rgba32> image, SourceImageInfo source, ImageFormatKind target)
    {
        IImageEncoder encoder = target switch
        {
            ImageFormatKind.Jpeg => new JpegEncoder
            {
                Quality = _options.JpegQuality,
                ColorType = source.IsGrayscale ? JpegColorType.Luminance : JpegColorType.YCbCrRatio444,
            },
            ImageFormatKind.Png => new PngEncoder
            {
                BitDepth = PngBitDepth.Bit8,
                ColorType = (source.IsGrayscale, source.HasAlpha) switch
                {
                    (true, true) => PngColorType.GrayscaleWithAlpha,
                    (true, false) => PngColorType.Grayscale,
                    (false, true) => PngColorType.RgbWithAlpha,
                    (false, false) => PngColorType.Rgb,
                },
                TransparentColorMode = PngTransparentColorMode.Preserve,
            },
            ImageFormatKind.Webp => new WebpEncoder
            {
                FileFormat = WebpFileFormatType.Lossless,
                TransparentColorMode = WebpTransparentColorMode.Preserve,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
        };

        using var output = new MemoryStream();
        image.Save(output, encoder);
        var bytes = output.ToArray();
        if (target != ImageFormatKind.Jpeg && image.Metadata.IccProfile is { } profile && IccProfileChunks.Extract(bytes, target) is null)
            bytes = IccProfileChunks.Embed(bytes, target, profile.ToByteArray(), source.HasAlpha, image.Width, image.Height);
        return bytes;
    }

    /// <summary>
    /// Names the decoder of <see cref="DecodeForVerification"/> wherever a decoded L-infinity figure is reported: other
    /// decoders (libjpeg's, a browser's) can differ from it by a level or two on JPEG.
    /// </summary>
    public const string VerificationDecoder = "imagesharp";

    /// <summary>Decodes our own encoded output again, to measure what a recipient will really see.</summary>
    public Image<Rgba32> DecodeForVerification(ReadOnlyMemory<byte> encoded)
    {
        using var stream = AsStream(encoded);
        return Image.Load<Rgba32>(Configuration, stream);
    }

    private void CheckDimensions(int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ImageRejectedException(ImageRejectionReason.Undecodable, $"The image declares an empty size ({width}x{height}).");
        if (width > _options.MaxWidth || height > _options.MaxHeight || (long)width * height > _options.MaxPixels)
            throw new ImageRejectedException(ImageRejectionReason.TooManyPixels,
                $"The image is {width}x{height} ({(long)width * height:N0} pixels); the limits are {_options.MaxWidth}x{_options.MaxHeight} and {_options.MaxPixels:N0} pixels.");
    }

    private static bool DeclaresAlpha(ImageFormatKind format, Image<Rgba32> image)
    {
        switch (format)
        {
            case ImageFormatKind.Jpeg:
                return false;
            case ImageFormatKind.Png:
                var png = image.Metadata.GetPngMetadata();
                if (png.ColorType is PngColorType.RgbWithAlpha or PngColorType.GrayscaleWithAlpha || png.HasTransparency)
                    return true;
                break;
        }

        // WebP (and palette PNGs with transparency) say it only through the pixels.
        bool any = false;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height && !any; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    if (p.A != 255) { any = true; break; }
                }
            }
        });
        return any;
    }

    private static bool IsGrayscale(ImageFormatKind format, Image<Rgba32> image) => format switch
    {
        ImageFormatKind.Jpeg => image.Metadata.GetJpegMetadata().ColorType == JpegColorType.Luminance,
        ImageFormatKind.Png => image.Metadata.GetPngMetadata().ColorType is PngColorType.Grayscale or PngColorType.GrayscaleWithAlpha,
        _ => false,
    };

    private static MemoryStream AsStream(ReadOnlyMemory<byte> encoded) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(encoded, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(encoded.ToArray(), writable: false);
}
