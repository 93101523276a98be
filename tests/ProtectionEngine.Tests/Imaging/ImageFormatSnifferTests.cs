using System.Text;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Tests.Support;

namespace UploadGuard.ProtectionEngine.Tests.Imaging;

public sealed class ImageFormatSnifferTests
{
    [Theory]
    [InlineData(ImageFormatKind.Jpeg)]
    [InlineData(ImageFormatKind.Png)]
    [InlineData(ImageFormatKind.Webp)]
    public void Recognises_supported_formats_by_content(ImageFormatKind format)
    {
        var bytes = TestImages.EncodedPhoto(8, 8, format);
        Assert.Equal(format, ImageFormatSniffer.DetectSupported(bytes));
        Assert.Null(ImageFormatSniffer.DetectUnsupported(bytes));
    }

    [Theory]
    [InlineData("GIF", "GIF89a\x01\x00\x01\x00")]
    [InlineData("HEIF", "\0\0\0\x18" + "ftypheic\0\0\0\0")]
    [InlineData("HEIF", "\0\0\0\x14" + "ftypheim\0\0\0\0heim")]
    [InlineData("HEIF", "\0\0\0\x14" + "ftypmif2\0\0\0\0mif2")]
    [InlineData("AVIF", "\0\0\0\x1c" + "ftypavif\0\0\0\0")]
    [InlineData("AVIF", "\0\0\0\x18" + "ftypavis\0\0\0\0avismsf1")]
    [InlineData("TIFF", "II*\0\x08\0\0\0")]
    [InlineData("TIFF", "MM\0+\0\x08\0\0")]
    [InlineData("BMP", "BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0")]
    [InlineData("ICO", "\0\0\x01\0\x01\0\x10\x10\0\0\x01\0\x20\0\x28\x04\0\0\x16\0\0\0")]
    [InlineData("CUR", "\0\0\x02\0\x01\0\x10\x10\0\0\x04\0\x04\0\x28\x04\0\0\x16\0\0\0")]
    [InlineData("PNM", "P6\n# made by hand\n4 4\n255\n")]
    [InlineData("PNM", "P1 2 2 0101")]
    [InlineData("PAM", "P7\nWIDTH 4\nHEIGHT 4\n")]
    [InlineData("PFM", "PF\n4 4\n-1.0\n")]
    [InlineData("PCX", "\x0a\x05\x01\x08\0\0\0\0\x03\0\x03\0")]
    [InlineData("TGA", "\0\0\x02\0\0\0\0\0\0\0\0\0\x04\0\x04\0\x18\0")]
    [InlineData("TGA", "\0\x01\x01\0\0\x10\0\x18\0\0\0\0\x04\0\x04\0\x08\0")]
    [InlineData("JPEG 2000", "\0\0\0\x0cjP  \r\n\x87\n")]
    [InlineData("JPEG 2000", "\xff\x4f\xff\x51\0\x29")]
    [InlineData("JPEG XL", "\xff\x0a\xfa\x7f")]
    [InlineData("JPEG XL", "\0\0\0\x0cJXL \r\n\x87\n")]
    [InlineData("SVG", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")]
    [InlineData("SVG", "\xef\xbb\xbf  <?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<!-- c -->\n<SVG>")]
    [InlineData("PSD", "8BPS\0\x01\0\0")]
    [InlineData("PSB", "8BPS\0\x02\0\0")]
    [InlineData("QOI", "qoif\0\0\0\x04")]
    [InlineData("DDS", "DDS \x7c\0\0\0")]
    [InlineData("OpenEXR", "\x76\x2f\x31\x01\x02\0\0\0")]
    public void Recognises_images_it_cannot_protect_and_names_them(string format, string header)
    {
        var bytes = Encoding.Latin1.GetBytes(header);
        Assert.Null(ImageFormatSniffer.DetectSupported(bytes));
        Assert.Equal(format, ImageFormatSniffer.DetectUnsupported(bytes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, this is plain text")]
    [InlineData("RIFF\0\0\0\0WAVEfmt ")]
    [InlineData("%PDF-1.7")]
    [InlineData("P5 is the name of a project plan")]
    [InlineData("BMW 320i, one owner")]
    [InlineData("<!DOCTYPE html><html><body><svg></svg></body></html>")]
    [InlineData("<?xml version=\"1.0\"?><feed><entry/></feed>")]
    [InlineData("\0\0\0\x18" + "ftypisom\0\0\0\0isomiso2")]
    [InlineData("{\"json\": true, \"list\": [1, 2, 3], \"nested\": {\"a\": null}}")]
    public void Text_and_other_files_are_not_images(string content)
    {
        var bytes = Encoding.Latin1.GetBytes(content);
        Assert.Null(ImageFormatSniffer.DetectSupported(bytes));
        Assert.Null(ImageFormatSniffer.DetectUnsupported(bytes));
    }
}
