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
        Assert.False(ImageFormatSniffer.IsUnsupportedImage(bytes));
    }

    [Theory]
    [InlineData("GIF89a\x01\x00\x01\x00")]
    [InlineData("\0\0\0\x18" + "ftypheic\0\0\0\0")]
    [InlineData("\0\0\0\x1c" + "ftypavif\0\0\0\0")]
    [InlineData("II*\0\x08\0\0\0")]
    [InlineData("BM\x3a\0\0\0\0\0\0\0\x36\0\0\0")]
    public void Recognises_images_it_cannot_protect(string header)
    {
        var bytes = Encoding.Latin1.GetBytes(header);
        Assert.Null(ImageFormatSniffer.DetectSupported(bytes));
        Assert.True(ImageFormatSniffer.IsUnsupportedImage(bytes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, this is plain text")]
    [InlineData("RIFF\0\0\0\0WAVEfmt ")]
    [InlineData("%PDF-1.7")]
    public void Text_and_other_files_are_not_images(string content)
    {
        var bytes = Encoding.Latin1.GetBytes(content);
        Assert.Null(ImageFormatSniffer.DetectSupported(bytes));
        Assert.False(ImageFormatSniffer.IsUnsupportedImage(bytes));
    }
}
