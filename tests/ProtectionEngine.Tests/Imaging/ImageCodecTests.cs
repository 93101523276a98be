using System.Buffers.Binary;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Metadata.Profiles.Icc;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Tests.Support;

using UploadGuard.Tests.Common;

namespace UploadGuard.ProtectionEngine.Tests.Imaging;

public sealed class ImageCodecTests
{
    private readonly ImageCodec _codec = new(new ImagingOptions { MaxWidth = 4000, MaxHeight = 4000, MaxPixels = 4_000_000, MaxBytes = 1_000_000 });

    public static TheoryData<string, byte[], ImageRejectionReason> BadInputs()
    {
        var png = TestImages.EncodedPhoto(40, 30, ImageFormatKind.Png);
        var jpeg = TestImages.EncodedPhoto(40, 30, ImageFormatKind.Jpeg);
        var webp = TestImages.EncodedPhoto(40, 30, ImageFormatKind.Webp);
        return new()
        {
            { "empty", [], ImageRejectionReason.Empty },
            { "text", Encoding.UTF8.GetBytes("just some text, not a photo"), ImageRejectionReason.Undecodable },
            { "wrong magic", [.. "XYZ"u8, .. png.AsSpan(3)], ImageRejectionReason.Undecodable },
            { "png signature only", png[..8], ImageRejectionReason.Truncated },
            { "truncated png", png[..(png.Length / 2)], ImageRejectionReason.Truncated },
            { "truncated jpeg", jpeg[..(jpeg.Length / 3)], ImageRejectionReason.Truncated },
            { "truncated webp", webp[..(webp.Length / 2)], ImageRejectionReason.Truncated },
            { "jpeg without its end marker", jpeg[..^2], ImageRejectionReason.Truncated },
            { "png with a damaged chunk", Flip(png, png.Length - 20), ImageRejectionReason.Truncated },
            { "png without IEND", png[..^12], ImageRejectionReason.Truncated },
            { "png whose image data stops early, chunks whole", WithImageData(png, data => data[..(data.Length / 2)]), ImageRejectionReason.Truncated },
            { "png whose image data is not zlib", WithImageData(png, data => [0x00, 0x00, .. data[2..]]), ImageRejectionReason.Undecodable },
            { "png bomb", PngWithDeclaredSize(100_000, 100_000), ImageRejectionReason.TooManyPixels },
            { "one pixel wide giant", PngWithDeclaredSize(1, 3_999_999), ImageRejectionReason.TooManyPixels },
            { "gif", [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0], ImageRejectionReason.UnsupportedFormat },
            { "heic", [0, 0, 0, 24, .. "ftypheic"u8, 0, 0, 0, 0, .. "mif1heic"u8], ImageRejectionReason.UnsupportedFormat },
            { "over byte cap", new byte[1_000_001], ImageRejectionReason.TooManyBytes },
        };
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_a_typed_rejection(string name, byte[] data, ImageRejectionReason expected)
    {
        var ex = Assert.Throws<ImageRejectedException>(() => _codec.Decode(data));
        Assert.True(expected == ex.Reason, $"{name}: expected {expected}, got {ex.Reason} ({ex.Message})");
        Assert.Matches("^[a-z_]+$", ex.ReasonCode);
    }

    private static byte[] Flip(byte[] data, int at)
    {
        var copy = (byte[])data.Clone();
        copy[at] ^= 0x55;
        return copy;
    }

    [Theory]
    [InlineData(PngColorType.Rgb, PngBitDepth.Bit8, false)]
    [InlineData(PngColorType.RgbWithAlpha, PngBitDepth.Bit16, false)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit1, false)]
    [InlineData(PngColorType.GrayscaleWithAlpha, PngBitDepth.Bit8, true)]
    [InlineData(PngColorType.Palette, PngBitDepth.Bit4, true)]
    [InlineData(PngColorType.Rgb, PngBitDepth.Bit8, true)]
    public void Whole_pngs_of_every_layout_pass_the_image_data_check(PngColorType colour, PngBitDepth depth, bool interlaced)
    {
        // Odd sizes leave some Adam7 passes narrow or empty: the declared length must count them as the encoder writes them.
        using var photo = TestImages.Photo(37, 23, seed: 4);
        using var stream = new MemoryStream();
        photo.SaveAsPng(stream, new PngEncoder { ColorType = colour, BitDepth = depth, InterlaceMethod = interlaced ? PngInterlaceMode.Adam7 : PngInterlaceMode.None });

        using var decoded = _codec.Decode(stream.ToArray());

        Assert.Equal((37, 23), (decoded.Pixels.Width, decoded.Pixels.Height));
    }

    [Fact]
    public void Whole_files_with_bytes_after_their_end_still_decode()
    {
        // Decoders stop at JPEG's EOI and PNG's IEND; what follows (a camera's trailer, a polyglot's passenger) is not damage.
        foreach (var format in new[] { ImageFormatKind.Jpeg, ImageFormatKind.Png })
        {
            var whole = TestImages.EncodedPhoto(40, 30, format);
            byte[] withTrailer = [.. whole, .. "PK\u0003\u0004 trailing bytes"u8];
            using var decoded = _codec.Decode(withTrailer);
            Assert.Equal(40, decoded.Pixels.Width);
        }
    }

    [Fact]
    public void Reason_codes_are_snake_case()
    {
        Assert.Equal("too_many_pixels", ImageRejectedException.ToCode(ImageRejectionReason.TooManyPixels));
        Assert.Equal("output_cannot_represent", ImageRejectedException.ToCode(ImageRejectionReason.OutputCannotRepresent));
    }

    [Fact]
    public void Declared_size_is_refused_before_pixels_are_allocated()
    {
        // A tiny file that declares 50,000 x 50,000 pixels: refused on its header, whatever the allocator would do.
        var codec = new ImageCodec(new ImagingOptions());
        var ex = Assert.Throws<ImageRejectedException>(() => codec.Inspect(PngWithDeclaredSize(50_000, 50_000)));
        Assert.Equal(ImageRejectionReason.TooManyPixels, ex.Reason);
    }

    [Fact]
    public void Image_exactly_at_the_pixel_cap_is_accepted()
    {
        var codec = new ImageCodec(new ImagingOptions { MaxPixels = 20_000 });
        Assert.Equal((ImageFormatKind.Png, 200, 100), codec.Inspect(TestImages.EncodedPhoto(200, 100, ImageFormatKind.Png)));
        Assert.Throws<ImageRejectedException>(() => codec.Inspect(TestImages.EncodedPhoto(201, 100, ImageFormatKind.Png)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Exif_orientation_is_applied_then_reset(ushort orientation)
    {
        using var original = TestImages.Photo(12, 7, seed: orientation);
        original.Metadata.ExifProfile = new ExifProfile();
        original.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        var jpegless = TestImages.Encode(original, ImageFormatKind.Png);

        using var expected = original.Clone(x => x.AutoOrient());
        using var decoded = _codec.Decode(jpegless);

        Assert.Equal(orientation >= 5 ? (7, 12) : (12, 7), (decoded.Pixels.Width, decoded.Pixels.Height));
        Assert.Equal(0, PixelDifference.MaxAbs(expected, decoded.Pixels));
        Assert.Equal(orientation, decoded.Source.OrientationApplied);
        Assert.Null(decoded.Pixels.Metadata.ExifProfile?.GetValue(ExifTag.Orientation));
    }

    [Fact]
    public void Personal_exif_is_removed_by_default_and_the_rest_kept()
    {
        using var decoded = _codec.Decode(JpegWithExif());
        var exif = decoded.Pixels.Metadata.ExifProfile!;
        Assert.Null(exif.GetValue(ExifTag.GPSLatitude));
        Assert.Null(exif.GetValue(ExifTag.GPSLatitudeRef));
        Assert.Null(exif.GetValue(ExifTag.Artist));
        Assert.Null(exif.GetValue(ExifTag.SerialNumber));
        Assert.Equal("UploadGuard Camera", exif.GetValue(ExifTag.Model)?.Value);
    }

    [Fact]
    public void Metadata_policy_is_configurable()
    {
        using var kept = new ImageCodec(new ImagingOptions { Metadata = MetadataPolicy.KeepAll }).Decode(JpegWithExif());
        Assert.Equal("Jane Doe", kept.Pixels.Metadata.ExifProfile!.GetValue(ExifTag.Artist)?.Value);
        Assert.NotNull(kept.Pixels.Metadata.ExifProfile.GetValue(ExifTag.GPSLatitude));

        using var stripped = new ImageCodec(new ImagingOptions { Metadata = MetadataPolicy.StripAll }).Decode(JpegWithExif());
        Assert.Null(stripped.Pixels.Metadata.ExifProfile);
    }

    [Theory]
    [InlineData(ImageFormatKind.Jpeg)]
    [InlineData(ImageFormatKind.Png)]
    [InlineData(ImageFormatKind.Webp)]
    public void Icc_profile_survives_decode_and_encode(ImageFormatKind format)
    {
        var profile = MinimalIccProfile();
        using var image = TestImages.Photo(16, 16);
        image.Metadata.IccProfile = new IccProfile(profile);
        var encoded = TestImages.Encode(image, format);
        if (format != ImageFormatKind.Jpeg)   // ImageSharp 2.1 writes ICC only into JPEG
            encoded = IccProfileChunks.Embed(encoded, format, profile, hasAlpha: false, 16, 16);

        using var decoded = _codec.Decode(encoded);
        var output = _codec.Encode(decoded.Pixels, decoded.Source, format);
        using var again = Image.Load<Rgba32>(output);
        Assert.Equal(profile, decoded.Pixels.Metadata.IccProfile?.ToByteArray());
        Assert.Equal(profile, format == ImageFormatKind.Jpeg ? again.Metadata.IccProfile?.ToByteArray() : IccProfileChunks.Extract(output, format));
        if (format != ImageFormatKind.Jpeg)
            Assert.Equal(0, PixelDifference.MaxAbs(decoded.Pixels, again));   // the container surgery left the pixels intact
    }

    [Fact]
    public void Jpeg_is_written_at_high_quality_with_full_resolution_chroma()
    {
        using var decoded = _codec.Decode(TestImages.EncodedPhoto(64, 48, ImageFormatKind.Jpeg));
        var output = _codec.Encode(decoded.Pixels, decoded.Source, ImageFormatKind.Jpeg);
        using var again = Image.Load<Rgba32>(output);
        var jpeg = again.Metadata.GetJpegMetadata();
        Assert.True(jpeg.Quality >= 95, $"quality {jpeg.Quality}");
        Assert.Equal(JpegColorType.YCbCrRatio444, jpeg.ColorType);
    }

    [Fact]
    public void Transparency_cannot_be_forced_into_jpeg()
    {
        using var decoded = _codec.Decode(TestImages.EncodedPhoto(8, 8, ImageFormatKind.Png, alpha: true));
        Assert.True(decoded.Source.HasAlpha);
        var ex = Assert.Throws<ImageRejectedException>(() => ImageCodec.ResolveOutputFormat(decoded.Source, OutputFormat.Jpeg));
        Assert.Equal(ImageRejectionReason.OutputCannotRepresent, ex.Reason);
        Assert.Equal(ImageFormatKind.Webp, ImageCodec.ResolveOutputFormat(decoded.Source, OutputFormat.Webp));
    }

    private static byte[] JpegWithExif()
    {
        using var image = TestImages.Photo(32, 24);
        var exif = new ExifProfile();
        exif.SetValue(ExifTag.Model, "UploadGuard Camera");
        exif.SetValue(ExifTag.Artist, "Jane Doe");
        exif.SetValue(ExifTag.SerialNumber, "SN-123456");
        exif.SetValue(ExifTag.GPSLatitudeRef, "N");
        exif.SetValue(ExifTag.GPSLatitude, [new Rational(48, 1), new Rational(51, 1), new Rational(2400, 100)]);
        image.Metadata.ExifProfile = exif;
        return TestImages.Encode(image, ImageFormatKind.Jpeg);
    }

    /// <summary>A valid 132-byte ICC v4 header with no tags.</summary>
    private static byte[] MinimalIccProfile()
    {
        var bytes = new byte[132];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 132);
        bytes[8] = 4;                                   // version 4.0
        "mntr"u8.CopyTo(bytes.AsSpan(12));              // display device class
        "RGB "u8.CopyTo(bytes.AsSpan(16));
        "XYZ "u8.CopyTo(bytes.AsSpan(20));
        "acsp"u8.CopyTo(bytes.AsSpan(36));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(68), 63190);   // D50 illuminant X, Y, Z (s15Fixed16)
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(72), 65536);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(76), 54061);
        "UGRD"u8.CopyTo(bytes.AsSpan(80));              // creator
        return bytes;
    }

    /// <summary>A PNG whose header declares a size its data cannot fill: the decompression-bomb shape.</summary>
    private static byte[] PngWithDeclaredSize(int width, int height)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;   // bit depth
        ihdr[9] = 2;   // RGB
        WriteChunk(output, "IHDR", ihdr);
        WriteChunk(output, "IDAT", [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>The PNG with its IDAT chunks' data replaced by one chunk of <paramref name="change"/>'s output, every CRC correct.</summary>
    private static byte[] WithImageData(byte[] png, Func<byte[], byte[]> change)
    {
        var chunks = new List<(string Type, byte[] Data)>();
        for (int i = 8; i < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(i));
            chunks.Add((Encoding.ASCII.GetString(png, i + 4, 4), png[(i + 8)..(i + 8 + length)]));
            i += 12 + length;
        }
        byte[] imageData = [.. chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data)];
        using var output = new MemoryStream();
        output.Write(png.AsSpan(0, 8));
        bool written = false;
        foreach (var (type, data) in chunks)
        {
            if (type != "IDAT")
                WriteChunk(output, type, data);
            else if (!written)
            {
                WriteChunk(output, "IDAT", change(imageData));
                written = true;
            }
        }
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, IccProfileChunks.Crc32(typed));
        output.Write(crc);
    }
}
