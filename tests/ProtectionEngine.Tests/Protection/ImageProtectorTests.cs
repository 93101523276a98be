using CsCheck;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Tests.Support;

using UploadGuard.Tests.Common;

namespace UploadGuard.ProtectionEngine.Tests.Protection;

public sealed class ImageProtectorTests(SmallEngineFixture fixture) : IClassFixture<SmallEngineFixture>
{
    /// <summary>
    /// A regression guard, not a guarantee: what JPEG output adds on top of epsilon at the worst single value. The
    /// pixels are projected exactly before encoding; quantisation then moves a few values further (quality 95 without
    /// re-projection: up to 24 on Kodak-24; quality 100 with it: at most 2; see docs/protection.md).
    /// </summary>
    private const int JpegSlack = 24;

    private ImageProtector Protector => fixture.Engine.Protector;

    private sealed record Case(int Width, int Height, ImageFormatKind Format, bool Alpha, bool Gray, int Epsilon, int Seed)
    {
        public override string ToString() => $"{Width}x{Height} {Format} alpha={Alpha} gray={Gray} eps={Epsilon} seed={Seed}";
    }

    [Fact]
    public async Task Linf_bound_holds_for_random_images_sizes_formats_alpha_and_gray()
    {
        var cases = Gen.Select(Gen.Int[1, 160], Gen.Int[1, 160], Gen.Enum<ImageFormatKind>(), Gen.Bool, Gen.Bool, Gen.Int[1, 16], Gen.Int[0, 10_000])
            .Select((w, h, format, alpha, gray, eps, seed) => new Case(
                w, h, format,
                Alpha: alpha && format != ImageFormatKind.Jpeg,
                Gray: gray && format != ImageFormatKind.Webp,
                eps, seed));

        await cases.SampleAsync(async c =>
        {
            var input = TestImages.EncodedPhoto(c.Width, c.Height, c.Format, c.Seed, c.Alpha, c.Gray);
            var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Epsilon = c.Epsilon });

            Assert.Equal(c.Format, ImageFormatSniffer.DetectSupported(result.Data));
            using var original = TestImages.Decode(input);
            using var output = TestImages.Decode(result.Data);
            int measured = PixelDifference.MaxAbs(original, output);
            Assert.Equal(measured, result.Report.LinfDecoded);
            int bound = c.Format == ImageFormatKind.Jpeg ? c.Epsilon + JpegSlack : c.Epsilon;
            Assert.True(measured <= bound, $"{c}: L-inf {measured} > {bound}");
            Assert.Equal(c.Format != ImageFormatKind.Jpeg, result.Report.Lossless);
        }, iter: 60, threads: 1, print: c => c.ToString());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(1, 10_000)]
    [InlineData(10_000, 1)]
    [InlineData(2_000, 2_000)]   // exactly the fixture's 4,000,000-pixel cap
    public async Task Extreme_sizes_keep_their_size_and_the_bound(int width, int height)
    {
        var input = TestImages.EncodedPhoto(width, height, ImageFormatKind.Png);
        var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Epsilon = 8 });

        using var original = TestImages.Decode(input);
        using var output = TestImages.Decode(result.Data);
        Assert.Equal(original.Size(), output.Size());
        Assert.InRange(PixelDifference.MaxAbs(original, output), 0, 8);
        Assert.Equal((width, height), (result.Report.Width, result.Report.Height));
    }

    [Fact]
    public async Task Over_the_pixel_cap_is_refused()
    {
        var input = TestImages.EncodedPhoto(2_001, 2_000, ImageFormatKind.Png);
        var ex = await Assert.ThrowsAsync<ImageRejectedException>(() => Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions()));
        Assert.Equal(ImageRejectionReason.TooManyPixels, ex.Reason);
    }

    [Fact]
    public async Task Lossless_outputs_are_exact_png_and_webp_carry_identical_pixels()
    {
        var input = TestImages.EncodedPhoto(97, 61, ImageFormatKind.Png, seed: 5);
        var png = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Format = OutputFormat.Png });
        var webp = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Format = OutputFormat.Webp });

        Assert.Equal(ImageFormatKind.Png, ImageFormatSniffer.DetectSupported(png.Data));
        Assert.Equal(ImageFormatKind.Webp, ImageFormatSniffer.DetectSupported(webp.Data));
        using var a = TestImages.Decode(png.Data);
        using var b = TestImages.Decode(webp.Data);
        Assert.Equal(0, PixelDifference.MaxAbs(a, b));
        Assert.True(png.Report.ChangedFraction > 0.3, $"only {png.Report.ChangedFraction:P0} of values changed");
    }

    [Fact]
    public async Task Alpha_is_preserved_untouched()
    {
        var input = TestImages.EncodedPhoto(50, 40, ImageFormatKind.Png, alpha: true);
        var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions());
        using var original = TestImages.Decode(input);
        using var output = TestImages.Decode(result.Data);
        for (int y = 0; y < original.Height; y++)
            for (int x = 0; x < original.Width; x++)
                Assert.Equal(original[x, y].A, output[x, y].A);
    }

    [Theory]
    [InlineData(ImageFormatKind.Png)]
    [InlineData(ImageFormatKind.Jpeg)]
    public async Task Gray_photos_stay_gray(ImageFormatKind format)
    {
        var input = TestImages.EncodedPhoto(40, 30, format, gray: true);
        var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions());
        using var output = Image.Load<Rgba32>(result.Data);
        if (format == ImageFormatKind.Png)
            Assert.Equal(PngColorType.Grayscale, output.Metadata.GetPngMetadata().ColorType);
        else
            Assert.Equal(JpegColorType.Luminance, output.Metadata.GetJpegMetadata().ColorType);
        Assert.True(result.Report.ChangedFraction > 0);
    }

    [Fact]
    public async Task Sixteen_bit_png_is_protected_at_eight_bits()
    {
        using var wide = new Image<Rgba64>(33, 21);
        for (int y = 0; y < wide.Height; y++)
            for (int x = 0; x < wide.Width; x++)
                wide[x, y] = new Rgba64((ushort)(x * 1900), (ushort)(y * 3000), (ushort)((x + y) * 1200), ushort.MaxValue);
        using var stream = new MemoryStream();
        wide.Save(stream, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });
        var input = stream.ToArray();

        var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Epsilon = 6 });

        Assert.True(result.Report.BitDepthReduced);
        using var original = TestImages.Decode(input);
        using var output = TestImages.Decode(result.Data);
        Assert.InRange(PixelDifference.MaxAbs(original, output), 0, 6);
        Assert.Equal(PngBitDepth.Bit8, output.Metadata.GetPngMetadata().BitDepth);
    }

    [Fact]
    public async Task Cmyk_jpeg_is_decoded_and_written_as_ycbcr_jpeg()
    {
        var input = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cmyk.jpg"));
        Assert.Equal(4, JpegComponentCount(input));

        var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions());

        Assert.Equal(ImageFormatKind.Jpeg, result.Report.OutputFormat);
        Assert.Equal(3, JpegComponentCount(result.Data));
        using var original = TestImages.Decode(input);
        using var output = TestImages.Decode(result.Data);
        Assert.InRange(PixelDifference.MaxAbs(original, output), 0, 8 + JpegSlack);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(8)]
    public async Task Exif_orientation_is_applied_before_protection(ushort orientation)
    {
        using var image = TestImages.Photo(30, 20, seed: orientation);
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        var input = TestImages.Encode(image, ImageFormatKind.Png);
        using var upright = image.Clone(x => x.AutoOrient());

        var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions());

        using var output = TestImages.Decode(result.Data);
        Assert.Equal(upright.Size(), output.Size());
        Assert.InRange(PixelDifference.MaxAbs(upright, output), 0, 8);
        Assert.Null(output.Metadata.ExifProfile?.GetValue(ExifTag.Orientation));
        Assert.Equal(orientation, result.Report.OrientationApplied);
    }

    [Fact]
    public async Task Report_describes_the_work_and_says_the_model_is_untrained()
    {
        var input = TestImages.EncodedPhoto(64, 48, ImageFormatKind.Jpeg);
        var stages = new List<ProtectionStage>();
        var progress = new SynchronousProgress<ProtectionProgress>(p => stages.Add(p.Stage));

        var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Epsilon = 4 }, progress);

        var report = result.Report;
        Assert.Equal(Enum.GetValues<ProtectionStage>(), stages);
        Assert.Equal((ImageFormatKind.Jpeg, ImageFormatKind.Jpeg), (report.InputFormat, report.OutputFormat));
        Assert.Equal((input.Length, result.Data.Length), (report.InputBytes, report.OutputBytes));
        Assert.Equal((double)result.Data.Length / input.Length, report.SizeRatio, 6);
        Assert.Equal(4, report.Epsilon);
        Assert.Equal("test-small", report.ModelVersion);
        Assert.False(report.ModelTrained);
        Assert.Equal(ModelCard.UntrainedWarning, report.Warning);
        Assert.NotNull(report.PsnrDb);
        Assert.InRange(report.PsnrDb!.Value, 30, 80);
        Assert.True(report.Timings.TotalMs >= report.Timings.GeneratorMs && report.Timings.GeneratorMs > 0);
    }

    [SkippableTheory]
    [InlineData(ImageFormatKind.Jpeg, 90)]
    [InlineData(ImageFormatKind.Jpeg, 95)]
    [InlineData(ImageFormatKind.Png, 0)]
    public async Task Jpeg_output_is_held_to_epsilon_plus_two_by_libjpeg_and_reports_what_djpeg_measures(ImageFormatKind sourceFormat, int quality)
    {
        Skip.IfNot(LibJpeg.IsAvailable, "libturbojpeg (libturbojpeg0) is not installed: the engine checks its own decoder only.");
        Skip.If(LibjpegDecoder.Find() is null, LibjpegDecoder.MissingMessage);
        using var photo = TestImages.Photo(200, 136, seed: quality);
        var input = sourceFormat == ImageFormatKind.Png
            ? TestImages.Encode(photo, ImageFormatKind.Png)
            : TestImages.Jpeg(photo, JpegColorType.YCbCrRatio444, quality);

        var result = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Epsilon = 8, Format = OutputFormat.Jpeg });
        var lossless = await Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Epsilon = 8, Format = OutputFormat.Png });

        // djpeg compares its decoding of the output with its decoding of the source (the source's own pixels for PNG).
        var output = await LibjpegDecoder.DecodeAsync(result.Data);
        int djpeg = sourceFormat == ImageFormatKind.Png
            ? LibjpegDecoder.MaxAbs(LibjpegDecoder.FromImage(TestImages.Decode(input)), output)
            : LibjpegDecoder.MaxAbs(await LibjpegDecoder.DecodeAsync(input), output);
        Assert.Equal(djpeg, result.Report.LinfDecodedLibjpeg);
        Assert.InRange(djpeg, 1, 8 + 2);
        Assert.InRange(result.Report.LinfDecoded, 1, 8 + 2);
        Assert.Null(lossless.Report.LinfDecodedLibjpeg);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public async Task Epsilon_outside_the_supported_range_is_refused(int epsilon)
    {
        var input = TestImages.EncodedPhoto(8, 8, ImageFormatKind.Png);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions { Epsilon = epsilon }));
    }

    [Fact]
    public async Task Bad_input_is_a_typed_rejection_through_the_engine()
    {
        var ex = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            Protector.ProtectAsync(new MemoryStream("not an image"u8.ToArray()), new ProtectionOptions()));
        Assert.Equal(ImageRejectionReason.Undecodable, ex.Reason);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var input = TestImages.EncodedPhoto(64, 64, ImageFormatKind.Png);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Protector.ProtectAsync(new MemoryStream(input), new ProtectionOptions(), cancellationToken: cancelled.Token));
    }

    /// <summary>Number of colour components in a baseline or progressive JPEG's frame header.</summary>
    private static int JpegComponentCount(byte[] jpeg)
    {
        for (int i = 2; i + 9 < jpeg.Length;)
        {
            if (jpeg[i] != 0xFF) { i++; continue; }
            byte marker = jpeg[i + 1];
            if (marker is 0xC0 or 0xC1 or 0xC2)
                return jpeg[i + 9];
            int length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            i += 2 + length;
        }
        throw new InvalidDataException("no SOF marker");
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
