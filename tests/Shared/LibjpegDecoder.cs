using System.Diagnostics;
using System.Text;

namespace UploadGuard.Tests.Common;

/// <summary>
/// libjpeg's own decoder (<c>djpeg</c>, Debian's libjpeg-turbo-progs), to measure a JPEG's decoded L-infinity with a
/// decoder other than the engine's. Compare two files decoded by it, never one decoded here against one decoded by
/// ImageSharp: the decoders differ by a level or more on their own. Linked into the test projects and bench/EngineBench.
/// </summary>
public static class LibjpegDecoder
{
    /// <summary>A decoded image: 3 bytes per pixel, RGB, rows top to bottom.</summary>
    public sealed record Pixels(int Width, int Height, byte[] Rgb);

    /// <summary>The path of <c>djpeg</c> on PATH, or null when it is not installed.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "djpeg"))
            .FirstOrDefault(File.Exists);

    /// <summary>Why a test that needs djpeg is skipped when it is absent.</summary>
    public const string MissingMessage = "djpeg (libjpeg-turbo-progs) is not installed; scripts/setup.sh installs it: libjpeg measurement skipped.";

    public static async Task<Pixels> DecodeAsync(byte[] jpeg)
    {
        var start = new ProcessStartInfo(Find() ?? throw new InvalidOperationException(MissingMessage), "-ppm")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(jpeg);
        process.StandardInput.Close();
        await reading;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidDataException($"djpeg failed ({process.ExitCode}): {await errors}");
        return ParseNetpbm(output.ToArray());
    }

    /// <summary>An image decoded elsewhere (a lossless source), to compare with djpeg's decoding of its JPEG.</summary>
    public static Pixels FromImage(SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgba32> image)
    {
        using (image)
        {
            var rgb = new byte[image.Width * image.Height * 3];
            for (int y = 0, i = 0; y < image.Height; y++)
            {
                for (int x = 0; x < image.Width; x++, i += 3)
                {
                    var p = image[x, y];
                    (rgb[i], rgb[i + 1], rgb[i + 2]) = (p.R, p.G, p.B);
                }
            }
            return new Pixels(image.Width, image.Height, rgb);
        }
    }

    /// <summary>Largest per-channel difference between two decodings of the same size.</summary>
    public static int MaxAbs(Pixels a, Pixels b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
            throw new ArgumentException($"Sizes differ: {a.Width}x{a.Height} vs {b.Width}x{b.Height}.");
        int max = 0;
        for (int i = 0; i < a.Rgb.Length; i++)
            max = Math.Max(max, Math.Abs(a.Rgb[i] - b.Rgb[i]));
        return max;
    }

    // djpeg -ppm writes P6 (colour) or P5 (greyscale, expanded here to RGB): "Pn <width> <height> <maxval>" then bytes.
    private static Pixels ParseNetpbm(byte[] data)
    {
        int position = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)data[position])) position++;
            int start = position;
            while (!char.IsWhiteSpace((char)data[position])) position++;
            return Encoding.ASCII.GetString(data, start, position - start);
        }
        string magic = Token();
        int width = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        if (Token() != "255" || magic is not ("P6" or "P5"))
            throw new InvalidDataException($"Unexpected djpeg output header {magic}.");
        position++;   // the single whitespace byte after maxval
        int channels = magic == "P6" ? 3 : 1;
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
        {
            for (int c = 0; c < 3; c++)
                rgb[i * 3 + c] = data[position + i * channels + (channels == 3 ? c : 0)];
        }
        return new Pixels(width, height, rgb);
    }
}
