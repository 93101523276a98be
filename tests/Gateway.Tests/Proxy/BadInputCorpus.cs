using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>
/// The bad-input corpus, generated in code (nothing downloaded): damaged and hostile images, contradictory types,
/// polyglots, empty parts, malformed multipart bodies and hostile file names, each with its documented outcome.
/// docs/reliability.md lists them.
/// </summary>
public static class BadInputCorpus
{
    public const string Boundary = "----UploadGuardCorpus7MA4YWxkTrZu0gW";
    public const string FormType = "multipart/form-data; boundary=" + Boundary;

    private static readonly Lazy<IReadOnlyDictionary<string, BadInputCase>> Cases = new(() => Build().ToDictionary(c => c.Name, StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, BadInputCase> All => Cases.Value;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys) data.Add(name);
        return data;
    }

    public static TheoryData<string> ImageRefusalNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in All.Values.Where(c => c.ImageRefusal)) data.Add(c.Name);
        return data;
    }

    private static IEnumerable<BadInputCase> Build()
    {
        using var photo = Photo(48, 32);
        using var alphaPhoto = Photo(40, 30, alpha: true);
        var png = Encode(photo, new PngEncoder());
        var jpeg = Encode(photo, new JpegEncoder { Quality = 90 });
        var webp = Encode(photo, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });

        // Well-formed but unusual images: protected.
        yield return Image("png", png, "image/png", "photo.png");
        yield return Image("jpeg", jpeg, "image/jpeg", "photo.jpg");
        yield return Image("webp-lossless", webp, "image/webp", "photo.webp");
        yield return Image("webp-lossy", Encode(photo, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 80 }), "image/webp", "lossy.webp");
        yield return Image("png-16-bit", Encode(photo, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.RgbWithAlpha }), "image/png", "deep.png");
        yield return Image("png-palette", Encode(photo, new PngEncoder { ColorType = PngColorType.Palette }), "image/png", "palette.png");
        yield return Image("png-gray-alpha", Encode(alphaPhoto, new PngEncoder { ColorType = PngColorType.GrayscaleWithAlpha }), "image/png", "gray-alpha.png");
        yield return Image("png-adam7-interlaced", Encode(photo, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 }), "image/png", "interlaced.png");
        yield return Image("jpeg-grayscale", Encode(photo, new JpegEncoder { ColorType = JpegColorType.Luminance }), "image/jpeg", "gray.jpg");
        yield return Image("jpeg-cmyk", TinyJpeg.FourComponent(40, 24, TinyJpeg.Adobe.Cmyk), "image/jpeg", "cmyk.jpg");
        yield return Image("jpeg-ycck", TinyJpeg.FourComponent(40, 24, TinyJpeg.Adobe.Ycck), "image/jpeg", "ycck.jpg");
        using (var tall = Photo(1, 4096))
            yield return Image("png-1px-wide-4096-tall", Encode(tall, new PngEncoder()), "image/png", "needle.png");

        // Decompression bombs: refused from the header, before any pixel buffer exists.
        yield return Image("png-1px-wide-giant-declared", PngWithSize(png, 1, 1_000_000), "image/png", "needle.png", 413, "too_many_pixels");
        yield return Image("png-bomb-declared", PngWithSize(png, 100_000, 100_000), "image/png", "bomb.png", 413, "too_many_pixels");
        yield return Image("png-bomb-real-49mp-of-zeros", UploadGuard.Bench.Load.FlatPng.Grey(7000, 7000, 0), "image/png", "zeros.png", 413, "too_many_pixels");
        yield return Image("jpeg-bomb-declared", JpegWithSize(jpeg, 65_000, 65_000), "image/jpeg", "bomb.jpg", 413, "too_many_pixels");
        yield return Image("webp-bomb-declared", WebpLosslessWithSize(webp, 16_384, 16_384), "image/webp", "bomb.webp", 413, "too_many_pixels");

        // Truncated and corrupt files.
        yield return Image("png-truncated", png[..(png.Length / 2)], "image/png", "cut.png", 422, "truncated");
        yield return Image("jpeg-truncated", jpeg[..(jpeg.Length / 3)], "image/jpeg", "cut.jpg", 422, "truncated");
        yield return Image("jpeg-half", jpeg[..(jpeg.Length / 2)], "image/jpeg", "half.jpg", 422, "truncated");
        yield return Image("jpeg-all-but-eoi", jpeg[..^2], "image/jpeg", "no-eoi.jpg", 422, "truncated");
        yield return Image("webp-truncated", webp[..(webp.Length / 2)], "image/webp", "cut.webp", 422, "truncated");
        yield return Image("png-signature-only", png[..8], "image/png", "sig.png", 422, "truncated");
        yield return Image("jpeg-soi-only", [0xFF, 0xD8, 0xFF], "image/jpeg", "soi.jpg", 422, "truncated");
        yield return Image("png-bad-crc", Flip(png, png.Length - 20), "image/png", "crc.png", 422, "truncated");
        yield return Image("png-without-iend", png[..^12], "image/png", "no-iend.png", 422, "truncated");
        // Every chunk whole with its CRC, but the header declares twice the rows the image data holds (ImageSharp filled them black).
        yield return Image("png-image-data-short-of-declared-rows", PngWithSize(png, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)),
            2 * BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))), "image/png", "short.png", 422, "truncated");
        yield return Image("png-ihdr-zero-width", PngWithSize(png, 0, 32), "image/png", "zero.png", 422, "undecodable");
        yield return Image("jpeg-no-huffman-tables", WithoutMarker(jpeg, 0xC4), "image/jpeg", "nodht.jpg", 422, "undecodable");
        yield return Image("webp-riff-says-more-than-sent", WithRiffSize(webp, 1_000_000), "image/webp", "riff.webp", 422, "truncated");

        // Magic bytes against the declared type: the bytes decide.
        yield return Image("png-declared-jpeg", png, "image/jpeg", "really-a-png.jpg");
        yield return Image("jpeg-declared-text", jpeg, "text/plain", "notes.txt");
        yield return Image("webp-declared-octet-stream-no-extension", webp, "application/octet-stream", "blob");
        yield return Image("gif-declared-png", Gif(frames: 1), "image/png", "anim.png", 415, "unsupported_format");
        yield return Image("text-declared-png", "just some text"u8.ToArray(), "image/png", "text.png", 422, "undecodable");
        yield return Image("html-declared-jpeg", "<html><script>alert(1)</script></html>"u8.ToArray(), "image/jpeg", "page.jpg", 422, "undecodable");
        yield return Image("svg-image", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray(), "image/svg+xml", "vector.svg", 415, "unsupported_format");
        yield return Image("gif-5000-frames", Gif(frames: 5000), "image/gif", "anim.gif", 415, "unsupported_format");
        yield return Image("tiff", [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0, .. new byte[64]], "image/tiff", "scan.tif", 415, "unsupported_format");
        yield return Image("avif-declared-octet-stream", [0, 0, 0, 28, .. "ftypavif"u8, 0, 0, 0, 0, .. "avifmif1miaf"u8, .. new byte[16]], "application/octet-stream", "x.bin", 415, "unsupported_format");

        // Formats the engine does not protect, recognised by content even as application/octet-stream or with no file name.
        foreach (var (format, bytes) in UnsupportedImages())
            yield return Image($"unsupported-{format}-as-octet-stream", bytes, "application/octet-stream", "upload.bin", 415, "unsupported_format");
        yield return Form("unsupported-ico-part-without-file-name", 415, "unsupported_format",
            Part("Content-Disposition: form-data; name=\"blob\""u8.ToArray(), UnsupportedImages().First(i => i.Format == "ico").Bytes));

        // Polyglots: an image with something else after or inside it. Protection re-encodes, so the passenger is dropped.
        yield return Image("polyglot-jpeg-then-zip", [.. jpeg, .. Zip()], "image/jpeg", "gifar.jpg");
        yield return Image("polyglot-png-then-html", [.. png, .. "<html><script>alert(1)</script></html>"u8], "image/png", "page.png");
        yield return Image("polyglot-jpeg-magic-then-pdf", [0xFF, 0xD8, 0xFF, 0xE0, .. "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"u8], "application/pdf", "doc.pdf", 422, "truncated");
        yield return Image("polyglot-gif-then-zip", [.. Gif(frames: 1), .. Zip()], "application/zip", "archive.zip", 415, "unsupported_format");

        // Empty parts.
        yield return Image("empty-image-part", [], "image/png", "empty.png", 422, "empty");
        yield return Form("empty-text-field-beside-a-photo", 201, "perturbed",
            TextPart("caption", ""), FilePart("photo", "photo.png", "image/png", png));
        yield return Form("only-an-empty-text-field", 201, "no-images", TextPart("caption", ""));
        yield return Form("empty-file-part-without-image-claim", 201, "no-images", FilePart("file", "blank", "application/octet-stream", []));
        yield return Form("form-with-no-parts", 201, "no-images");

        // Hostile file names: the gateway neither stores nor rewrites them; the header bytes go upstream unchanged.
        yield return Raw("filename-not-utf8", FormType, MultipartBytes(Part([.. "Content-Disposition: form-data; name=\"photo\"; filename=\""u8, 0xFF, 0xFE, 0xC3, 0x28, .. ".png\"\r\nContent-Type: image/png"u8], png)), 201, "perturbed");
        yield return Image("filename-path-traversal", png, "image/png", "../../../etc/passwd.png");
        yield return Raw("filename-star-encoded-traversal", FormType, MultipartBytes(Part("Content-Disposition: form-data; name=\"photo\"; filename*=UTF-8''..%2F..%2F%E2%80%AEgnp.exe.png\r\nContent-Type: image/png"u8.ToArray(), png)), 201, "perturbed");
        yield return Image("filename-windows-path", png, "image/png", "C:\\..\\..\\evil.png");
        // RFC 9110 field values hold no control characters; a NUL ends the name for C-string parsers and not for others.
        yield return Image("filename-with-nul", png, "image/png", "evil\u0000.png", 400, "malformed_multipart");
        yield return Raw("filename-star-without-value", FormType, MultipartBytes(Part("Content-Disposition: form-data; name=\"photo\"; filename*\r\nContent-Type: image/png"u8.ToArray(), png)), 201, "perturbed");
        // A charset .NET will not decode: the name is read from filename, or not at all, and the photo still protected.
        yield return Raw("filename-star-utf7", FormType, MultipartBytes(Part("Content-Disposition: form-data; name=\"photo\"; filename*=UTF-7''%E6%9D%B1.png\r\nContent-Type: image/png"u8.ToArray(), png)), 201, "perturbed");

        // Malformed multipart: nothing can be split safely, so nothing is forwarded.
        var one = MultipartBytes(FilePart("photo", "photo.png", "image/png", png));
        yield return Raw("multipart-without-boundary", "multipart/form-data", one, 400, "malformed_multipart");
        yield return Raw("multipart-empty-boundary", "multipart/form-data; boundary=\"\"", one, 400, "malformed_multipart");
        yield return Raw("multipart-boundary-over-70-chars", "multipart/form-data; boundary=" + new string('b', 71), Encoding.ASCII.GetBytes($"--{new string('b', 71)}\r\n\r\nx\r\n--{new string('b', 71)}--"), 400, "malformed_multipart");
        yield return Raw("multipart-unterminated", FormType, one[..^(Boundary.Length + 8)], 400, "malformed_multipart");
        yield return Raw("multipart-never-opens-boundary", FormType, png, 400, "malformed_multipart");
        yield return Raw("multipart-boundary-line-not-terminated", FormType, Encoding.ASCII.GetBytes($"--{Boundary}garbage\r\n\r\nx\r\n--{Boundary}--"), 400, "malformed_multipart");
        yield return Raw("multipart-boundary-then-boundary", FormType, Encoding.ASCII.GetBytes($"--{Boundary}\r\n--{Boundary}--\r\n"), 400, "malformed_multipart");
        yield return Raw("multipart-part-header-flood", FormType, MultipartBytes(Part(Encoding.ASCII.GetBytes(string.Join("\r\n", Enumerable.Range(0, 17).Select(i => $"X-Flood-{i}: {i}"))), png)), 400, "malformed_multipart");
        yield return Raw("multipart-part-huge-header", FormType, MultipartBytes(Part(Encoding.ASCII.GetBytes("Content-Disposition: form-data; name=\"photo\"; filename=\"" + new string('a', 17 * 1024) + ".png\""), png)), 400, "malformed_multipart");
        yield return Raw("multipart-headers-never-end", FormType, Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: image/png\r\n--{Boundary}--"), 400, "malformed_multipart");
        yield return Raw("multipart-header-line-without-colon", FormType, MultipartBytes(Part("Content-Disposition form-data"u8.ToArray(), png)), 400, "malformed_multipart");
        yield return Raw("multipart-1001-parts", FormType, MultipartBytes([.. Enumerable.Range(0, 1001).Select(i => TextPart($"f{i}", "x"))]), 400, "malformed_multipart");

        // Framing that parsers read differently (issue 17): refused, never forwarded, so no upstream can find a part the gateway did not see.
        var caption = TextPart("title", "corpus");
        var photoPart = FilePart("photo", "photo.png", "image/png", png);
        yield return Raw("multipart-text-after-close-delimiter", FormType,
            [.. MultipartBytes(caption)[..^2], .. "X\r\n"u8, .. MultipartBytes(photoPart)], 400, "malformed_multipart");
        yield return Raw("multipart-preamble-line-ends-with-delimiter", FormType, [.. "x"u8, .. MultipartBytes(photoPart)], 400, "malformed_multipart");
        yield return Raw("multipart-preamble-then-image", FormType, [.. "a preamble line\r\n"u8, .. MultipartBytes(photoPart)], 201, "perturbed");
        yield return Raw("content-type-empty-parameter", $"multipart/form-data;; boundary={Boundary}", MultipartBytes(photoPart), 201, "perturbed");
        yield return Raw("content-type-unclosed-quote", $"multipart/form-data; boundary=\"{Boundary}", MultipartBytes(photoPart), 400, "malformed_multipart");
        yield return Raw("content-type-second-media-type", $"{FormType}, text/plain", MultipartBytes(photoPart), 400, "malformed_multipart");
        yield return Raw("content-type-boundary-twice", $"{FormType}; boundary=other", MultipartBytes(photoPart), 400, "malformed_multipart");
        yield return Raw("raw-content-type-unclosed-quote", "image/png; name=\"photo", png, 400, "malformed_content_type");
        yield return Form("nested-multipart-mixed-part", 415, "nested_multipart",
            Part(Encoding.ASCII.GetBytes("Content-Disposition: form-data; name=\"files\"\r\nContent-Type: multipart/mixed; boundary=inner"),
                [.. "--inner\r\nContent-Type: image/jpeg\r\n\r\n"u8, .. jpeg, .. "\r\n--inner--"u8]));
        yield return Form("part-transfer-encoding-base64", 415, "unsupported_transfer_encoding",
            Part("Content-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\nContent-Transfer-Encoding: base64"u8.ToArray(), Encoding.ASCII.GetBytes(Convert.ToBase64String(png))));
        yield return Form("part-header-repeated", 400, "malformed_multipart",
            Part("Content-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\nContent-Type: text/plain\r\nContent-Type: image/png"u8.ToArray(), png));
        yield return Form("part-header-bare-line-feed", 400, "malformed_multipart",
            Part("Content-Disposition: form-data; name=\"caption\"\nContent-Type: image/png"u8.ToArray(), png));
        yield return Form("part-header-folded", 400, "malformed_multipart",
            Part("Content-Disposition: form-data;\r\n name=\"photo\"; filename=\"p.png\""u8.ToArray(), png));
        yield return Form("part-content-length-lies", 400, "malformed_multipart",
            Part("Content-Disposition: form-data; name=\"caption\"\r\nContent-Length: 2"u8.ToArray(), "hello"u8.ToArray()), photoPart);

        // Other multipart types carry files too (multipart/mixed, multipart/related): their images are protected the same way.
        yield return Raw("multipart-mixed-with-an-image", "multipart/mixed; boundary=" + Boundary, MultipartBytes(FilePart("photo", "photo.png", "image/png", png)), 201, "perturbed");
        yield return Raw("multipart-related-with-an-image", "multipart/related; type=\"image/jpeg\"; boundary=" + Boundary, MultipartBytes(Part("Content-Type: image/jpeg"u8.ToArray(), jpeg)), 201, "perturbed");

        // A compressed body cannot be inspected; on a fail-closed route it is refused rather than forwarded unseen.
        yield return new BadInputCase("content-encoding-gzip-image", "raw", "application/octet-stream", Gzip(png), 415, "unsupported_content_encoding")
        {
            Headers = new Dictionary<string, string> { ["Content-Encoding"] = "gzip" },
        };
        yield return new BadInputCase("content-encoding-gzip-form", "raw", FormType, Gzip(one), 415, "unsupported_content_encoding")
        {
            Headers = new Dictionary<string, string> { ["Content-Encoding"] = "gzip" },
        };

        // Raw (non-multipart) bodies.
        yield return Raw("raw-png-put", "image/png", png, 201, "perturbed", "PUT");
        yield return Raw("raw-truncated-jpeg", "image/jpeg", jpeg[..(jpeg.Length / 3)], 422, "truncated");
        yield return Raw("raw-gif-as-octet-stream", "application/octet-stream", Gif(frames: 3), 415, "unsupported_format");
        yield return Raw("raw-empty-declared-png", "image/png", [], 422, "empty", "PUT");
        yield return Raw("raw-text-declared-webp", "image/webp", "RIFF? no."u8.ToArray(), 422, "undecodable");
    }

    /// <summary>Small files of each format the gateway recognises but does not protect (headers and a little data).</summary>
    public static IEnumerable<(string Format, byte[] Bytes)> UnsupportedImages()
    {
        yield return ("ico", [0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 40, 4, 0, 0, 22, 0, 0, 0, .. new byte[64]]);
        yield return ("cur", [0, 0, 2, 0, 1, 0, 16, 16, 0, 0, 4, 0, 4, 0, 40, 4, 0, 0, 22, 0, 0, 0, .. new byte[64]]);
        yield return ("ppm", [.. "P6\n# a comment\n4 4\n255\n"u8, .. new byte[48]]);
        yield return ("pam", [.. "P7\nWIDTH 4\nHEIGHT 4\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n"u8, .. new byte[48]]);
        yield return ("pcx", [0x0A, 5, 1, 8, 0, 0, 0, 0, 3, 0, 3, 0, 72, 0, 72, 0, .. new byte[112], .. new byte[48]]);
        yield return ("tga", [0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 4, 0, 24, 0, .. new byte[48]]);
        yield return ("bmp", [.. "BM"u8, 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0, .. new byte[40]]);
        yield return ("jpeg-2000", [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A, .. new byte[40]]);
        yield return ("jpeg-2000-codestream", [0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, .. new byte[40]]);
        yield return ("jpeg-xl", [0xFF, 0x0A, 0xFA, 0x7F, .. new byte[40]]);
        yield return ("jpeg-xl-container", [0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A, .. new byte[40]]);
        yield return ("avif-sequence", [0, 0, 0, 24, .. "ftypavis"u8, 0, 0, 0, 0, .. "avismsf1"u8, .. new byte[16]]);
        yield return ("heif-heim", [0, 0, 0, 20, .. "ftypheim"u8, 0, 0, 0, 0, .. "heim"u8, .. new byte[16]]);
        yield return ("heif-mif2", [0, 0, 0, 20, .. "ftypmif2"u8, 0, 0, 0, 0, .. "mif2"u8, .. new byte[16]]);
        yield return ("svg-with-xml-declaration", "<?xml version=\"1.0\"?>\n<!-- drawn by hand -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray());
        yield return ("psd", [.. "8BPS"u8, 0, 1, .. new byte[40]]);
        yield return ("qoi", [.. "qoif"u8, 0, 0, 0, 4, 0, 0, 0, 4, 3, 0, .. new byte[40]]);
        yield return ("dds", [.. "DDS "u8, 124, 0, 0, 0, .. new byte[120]]);
        yield return ("exr", [0x76, 0x2F, 0x31, 0x01, 2, 0, 0, 0, .. new byte[40]]);
        yield return ("tiff-big", [0x49, 0x49, 0x2B, 0x00, 8, 0, 0, 0, .. new byte[40]]);
    }

    private static BadInputCase Image(string name, byte[] data, string contentType, string fileName, int status = 201, string reason = "perturbed") =>
        new(name, "image", FormType, MultipartBytes(TextPart("title", "corpus"), FilePart("photo", fileName, contentType, data)), status, reason);

    private static BadInputCase Form(string name, int status, string reason, params (byte[] Headers, byte[] Body)[] parts) =>
        new(name, "form", FormType, MultipartBytes(parts), status, reason);

    private static BadInputCase Raw(string name, string contentType, byte[] body, int status, string reason, string method = "POST") =>
        new(name, "raw", contentType, body, status, reason, method);

    public static (byte[] Headers, byte[] Body) Part(byte[] headers, byte[] body) => (headers, body);

    public static (byte[] Headers, byte[] Body) TextPart(string name, string value) =>
        (Encoding.UTF8.GetBytes($"Content-Disposition: form-data; name=\"{name}\""), Encoding.UTF8.GetBytes(value));

    public static (byte[] Headers, byte[] Body) FilePart(string name, string fileName, string contentType, byte[] body) =>
        (Encoding.UTF8.GetBytes($"Content-Disposition: form-data; name=\"{name}\"; filename=\"{fileName.Replace("\"", "%22", StringComparison.Ordinal)}\"\r\nContent-Type: {contentType}"), body);

    /// <summary>A multipart/form-data body as a browser writes it (no preamble, CRLF line breaks).</summary>
    public static byte[] MultipartBytes(params (byte[] Headers, byte[] Body)[] parts)
    {
        using var output = new MemoryStream();
        foreach (var (headers, body) in parts)
        {
            output.Write(Encoding.ASCII.GetBytes($"--{Boundary}\r\n"));
            output.Write(headers);
            output.Write("\r\n\r\n"u8);
            output.Write(body);
            output.Write("\r\n"u8);
        }
        output.Write(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        return output.ToArray();
    }

    public static Image<Rgba32> Photo(int width, int height, bool alpha = false, int seed = 1)
    {
        var random = new Random(seed);
        var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgba32((byte)(x * 5 + random.Next(40)), (byte)(y * 7 + random.Next(40)), (byte)(100 + random.Next(100)), alpha ? (byte)(80 + (x * 3 + y) % 170) : (byte)255);
        return image;
    }

    public static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>The PNG with its IHDR width and height replaced (and the chunk CRC fixed, so only the size is wrong).</summary>
    private static byte[] PngWithSize(byte[] png, int width, int height)
    {
        var copy = (byte[])png.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), System.IO.Hashing.Crc32.HashToUInt32(copy.AsSpan(12, 17)));
        return copy;
    }

    /// <summary>The JPEG with its SOF0 height and width replaced.</summary>
    private static byte[] JpegWithSize(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        int sof = IndexOfMarker(copy, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(sof + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(sof + 7), (ushort)width);
        return copy;
    }

    /// <summary>The JPEG without any segment of the given marker (e.g. its Huffman tables).</summary>
    private static byte[] WithoutMarker(byte[] jpeg, byte marker)
    {
        var output = new List<byte>(jpeg.Length);
        int i = 2;
        output.AddRange(jpeg[..2]);
        while (i + 4 <= jpeg.Length && jpeg[i] == 0xFF && jpeg[i + 1] != 0xDA)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 2));
            if (jpeg[i + 1] != marker) output.AddRange(jpeg[i..(i + 2 + length)]);
            i += 2 + length;
        }
        output.AddRange(jpeg[i..]);
        return [.. output];
    }

    private static int IndexOfMarker(byte[] jpeg, byte marker)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker) return i;
        throw new InvalidOperationException($"No marker FF{marker:X2}.");
    }

    /// <summary>The lossless WebP with its VP8L header's 14-bit width and height replaced.</summary>
    private static byte[] WebpLosslessWithSize(byte[] webp, int width, int height)
    {
        var copy = (byte[])webp.Clone();
        int vp8l = copy.AsSpan().IndexOf("VP8L"u8);
        int at = vp8l + 9;   // after the chunk header and the 0x2F signature byte
        uint bits = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(at));
        bits = (bits & 0xF0000000u) | (uint)(width - 1) | ((uint)(height - 1) << 14);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), bits);
        return copy;
    }

    private static byte[] WithRiffSize(byte[] webp, uint size)
    {
        var copy = (byte[])webp.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(4), size);
        return copy;
    }

    private static byte[] Flip(byte[] data, int at)
    {
        var copy = (byte[])data.Clone();
        copy[at] ^= 0x55;
        return copy;
    }

    /// <summary>A 1x1 GIF89a with <paramref name="frames"/> frames, written by hand (the engine registers no GIF codec).</summary>
    public static byte[] Gif(int frames)
    {
        using var output = new MemoryStream();
        output.Write("GIF89a"u8);
        output.Write([1, 0, 1, 0, 0x80, 0, 0]);                 // 1x1 screen, 2-colour global table
        output.Write([0, 0, 0, 255, 255, 255]);
        output.Write([0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0]);   // loop forever
        for (int i = 0; i < frames; i++)
        {
            output.Write([0x21, 0xF9, 4, 0, 1, 0, 0, 0]);       // 10 ms per frame
            output.Write([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);    // the frame: 1x1 at 0,0
            output.Write([2, 2, 0x44, 0x01, 0]);                // LZW data of one pixel
        }
        output.WriteByte(0x3B);
        return output.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(data);
        return stream.ToArray();
    }

    private static byte[] Zip()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("payload.html").Open();
            entry.Write("<script>alert(1)</script>"u8);
        }
        return stream.ToArray();
    }
}
