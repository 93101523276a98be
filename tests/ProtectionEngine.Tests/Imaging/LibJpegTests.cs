using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Tests.Support;
using UploadGuard.Tests.Common;

namespace UploadGuard.ProtectionEngine.Tests.Imaging;

public sealed class LibJpegTests
{
    private const string MissingMessage = "libturbojpeg (libturbojpeg0) is not installed; scripts/setup.sh installs it: libjpeg decoding skipped.";

    [SkippableTheory]
    [InlineData(JpegColorType.YCbCrRatio420, 85)]
    [InlineData(JpegColorType.YCbCrRatio444, 95)]
    [InlineData(JpegColorType.Luminance, 90)]
    public async Task Decodes_to_exactly_what_djpeg_decodes(JpegColorType colour, int quality)
    {
        Skip.IfNot(LibJpeg.IsAvailable, MissingMessage);
        Skip.If(LibjpegDecoder.Find() is null, LibjpegDecoder.MissingMessage);
        using var photo = TestImages.Photo(67, 41, seed: 3, gray: colour == JpegColorType.Luminance);
        var jpeg = TestImages.Jpeg(photo, colour, quality);

        using var decoded = LibJpeg.TryDecode(jpeg);
        var djpeg = await LibjpegDecoder.DecodeAsync(jpeg);

        Assert.NotNull(decoded);
        Assert.Equal((djpeg.Width, djpeg.Height), (decoded.Width, decoded.Height));
        Assert.Equal(djpeg.Rgb, LibjpegDecoder.FromImage(decoded.Clone()).Rgb);
    }

    [SkippableFact]
    public void Applies_the_exif_orientation_as_the_engine_decoder_does()
    {
        Skip.IfNot(LibJpeg.IsAvailable, MissingMessage);
        using var photo = TestImages.Photo(40, 24, seed: 5);
        photo.Metadata.ExifProfile = new ExifProfile();
        photo.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        var jpeg = TestImages.Jpeg(photo, JpegColorType.YCbCrRatio444, 100);
        using var engine = new ImageCodec(new ImagingOptions()).Decode(jpeg);

        using var decoded = LibJpeg.TryDecode(jpeg, engine.Source.OrientationApplied);

        Assert.Equal(6, engine.Source.OrientationApplied);
        Assert.NotNull(decoded);
        Assert.Equal((24, 40), (decoded.Width, decoded.Height));
        // The two decoders round differently by a level or two, never by more on a quality-100 4:4:4 file.
        Assert.InRange(PixelDifference.MaxAbs(engine.Pixels, decoded), 0, 2);
    }

    [SkippableFact]
    public void Refuses_what_it_cannot_decode_faithfully()
    {
        Skip.IfNot(LibJpeg.IsAvailable, MissingMessage);
        using var photo = TestImages.Photo(64, 64);
        var jpeg = TestImages.Jpeg(photo, JpegColorType.YCbCrRatio420, 90);

        Assert.Null(LibJpeg.TryDecode(TestImages.EncodedPhoto(16, 16, ImageFormatKind.Png)));
        Assert.Null(LibJpeg.TryDecode(jpeg.AsMemory(0, jpeg.Length / 2)));   // libjpeg warns of the premature end
        Assert.Null(LibJpeg.TryDecode(jpeg, maxPixels: 64 * 64 - 1));
        using var whole = LibJpeg.TryDecode(jpeg, maxPixels: 64 * 64);
        Assert.NotNull(whole);
    }
}
