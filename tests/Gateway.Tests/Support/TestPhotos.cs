using System.Net.Http.Headers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.Gateway.Tests.Support;

public static class TestPhotos
{
    public static byte[] Png(int width = 48, int height = 32, int seed = 1) => Encode(width, height, seed, jpeg: false);

    public static byte[] Jpeg(int width = 48, int height = 32, int seed = 1) => Encode(width, height, seed, jpeg: true);

    public static Image<Rgba32> Decode(byte[] data) => Image.Load<Rgba32>(data);

    /// <summary>
    /// A photo-like PNG (smooth waves plus a little noise, no value at 0 or 255): what removal tests need, since a value
    /// that protection clipped at the ends of the range cannot be given back exactly.
    /// </summary>
    public static byte[] SmoothPng(int width, int height, int seed = 1)
    {
        var random = new Random(seed);
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double wave = Math.Sin(x * 0.05) * Math.Cos(y * 0.07);
                image[x, y] = new Rgba32(
                    (byte)(128 + 80 * wave + random.Next(-10, 11)),
                    (byte)(110 + 50 * Math.Sin((x + y) * 0.04) + random.Next(-10, 11)),
                    (byte)(100 + 60 * Math.Cos(x * 0.06) + random.Next(-10, 11)));
            }
        }
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    public static ByteArrayContent File(byte[] data, string contentType)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static byte[] Encode(int width, int height, int seed, bool jpeg)
    {
        var random = new Random(seed);
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgba32((byte)(x * 5 + random.Next(20)), (byte)(y * 7 + random.Next(20)), (byte)(128 + random.Next(60)));
        using var stream = new MemoryStream();
        if (jpeg) image.SaveAsJpeg(stream); else image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
