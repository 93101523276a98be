using System.Buffers.Binary;
using System.Diagnostics;
using CsCheck;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Tests.Support;
using UploadGuard.Tests.Common;
using Xunit.Abstractions;

namespace UploadGuard.ProtectionEngine.Tests.Imaging;

/// <summary>
/// Property-based fuzzing of the decode path untrusted uploads take (<see cref="ImageCodec.Decode"/>): random
/// mutations of valid JPEG, PNG and WebP files must decode or be refused with an <see cref="ImageRejectedException"/>,
/// never throw anything else, and never take longer than <see cref="Bound"/>.
/// </summary>
public sealed class ImageDecodeFuzzTests(ITestOutputHelper output)
{
    /// <summary>Generous for a noisy 2-core machine: a healthy decode of these inputs takes milliseconds.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static readonly ImageCodec Codec = new(new ImagingOptions { MaxPixels = 4_000_000, MaxWidth = 8_192, MaxHeight = 8_192, MemoryLimitMegabytes = 256 });

    private static readonly Lazy<byte[][]> Seeds = new(BuildSeeds);

    private readonly FuzzCorpus _corpus = new("decode");

    [Fact]
    public void Mutated_images_decode_or_are_rejected_within_the_bound()
    {
        var started = Stopwatch.StartNew();
        var cases = Gen.Select(Gen.Int[0, Seeds.Value.Length - 1], Mutation.Array[1, 6])
            .Select((seed, mutations) => mutations.Aggregate(Seeds.Value[seed], (data, m) => m(data)));
        int failures = 0;
        cases.Sample(data =>
        {
            try
            {
                _corpus.Observe(Check(data), data);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref failures);
                throw new InvalidOperationException($"{ex.GetType().Name}: {ex.Message} on {_corpus.Failure(data, ex)}", ex);
            }
        }, time: FuzzCorpus.Seconds(10), threads: 1, print: d => $"{d.Length} bytes");
        _corpus.Summarise(started.Elapsed, failures);
        output.WriteLine($"decode: {_corpus.Executions:N0} executions in {started.Elapsed.TotalSeconds:0} s, {_corpus.DistinctSignatures} distinct outcomes");
    }

    [Fact]
    public void Committed_corpus_replays_without_surprises()
    {
        var inputs = _corpus.Committed();
        Assert.NotEmpty(inputs);
        foreach (var (name, data) in inputs)
        {
            var exception = Record.Exception(() => Check(data));
            Assert.True(exception is null, $"{name}: {exception}");
        }
        output.WriteLine($"{inputs.Count} committed decode inputs replayed");
    }

    /// <summary>Decodes on a worker so a hang is reported (with its input) instead of stalling the run.</summary>
    private static string Check(byte[] data)
    {
        var decode = Task.Run(() =>
        {
            try
            {
                using var decoded = Codec.Decode(data);
                return $"decoded:{decoded.Source.Format}:{decoded.Source.HasAlpha}:{decoded.Source.IsGrayscale}:{decoded.Source.BitsPerChannel}";
            }
            catch (ImageRejectedException ex)
            {
                return $"rejected:{ex.ReasonCode}:{ex.Message}";
            }
        });
        if (!decode.Wait(Bound))
            throw new TimeoutException($"Decoding took longer than {Bound.TotalSeconds:0} s.");
        return decode.Result;
    }

    private static byte[][] BuildSeeds()
    {
        var seeds = new List<byte[]>();
        using var photo = TestImages.Photo(24, 17, seed: 5);
        using var alpha = TestImages.Photo(19, 13, seed: 6, alpha: true);
        using var gray = TestImages.Photo(16, 16, seed: 7, gray: true);
        seeds.Add(Encode(photo, new JpegEncoder { Quality = 90, ColorType = JpegColorType.YCbCrRatio420 }));
        seeds.Add(Encode(photo, new JpegEncoder { Quality = 75, ColorType = JpegColorType.YCbCrRatio444 }));
        seeds.Add(Encode(gray, new JpegEncoder { ColorType = JpegColorType.Luminance }));
        seeds.Add(Encode(photo, new PngEncoder { ColorType = PngColorType.Rgb }));
        seeds.Add(Encode(alpha, new PngEncoder { ColorType = PngColorType.RgbWithAlpha }));
        seeds.Add(Encode(gray, new PngEncoder { ColorType = PngColorType.Grayscale }));
        seeds.Add(Encode(alpha, new PngEncoder { ColorType = PngColorType.GrayscaleWithAlpha }));
        seeds.Add(Encode(photo, new PngEncoder { ColorType = PngColorType.Palette }));
        seeds.Add(Encode(photo, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb }));
        seeds.Add(Encode(photo, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 }));
        seeds.Add(Encode(photo, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }));
        seeds.Add(Encode(alpha, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }));
        seeds.Add(Encode(photo, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 80 }));
        seeds.Add(Encode(alpha, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy }));
        return [.. seeds];
    }

    private static byte[] Encode(Image<Rgba32> image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>Byte flips, interesting 32- and 16-bit values (sizes, lengths), cuts, insertions and repeats.</summary>
    private static Gen<Func<byte[], byte[]>> Mutation => Gen.OneOf(
        Gen.Select(Gen.Int[0, 100_000], Gen.Byte).Select<int, byte, Func<byte[], byte[]>>((at, value) => data =>
        {
            var copy = (byte[])data.Clone();
            copy[at % copy.Length] = value;
            return copy;
        }),
        Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 7]).Select<int, int, Func<byte[], byte[]>>((at, bit) => data =>
        {
            var copy = (byte[])data.Clone();
            copy[at % copy.Length] ^= (byte)(1 << bit);
            return copy;
        }),
        Gen.Select(Gen.Int[0, 100_000], Gen.OneOf(0u, 1u, 0x7FFFu, 0xFFFFu, 0x10000u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu), Gen.Bool)
            .Select<int, uint, bool, Func<byte[], byte[]>>((at, value, big) => data =>
            {
                if (data.Length < 4) return data;
                var copy = (byte[])data.Clone();
                var span = copy.AsSpan(at % (copy.Length - 3), 4);
                if (big) BinaryPrimitives.WriteUInt32BigEndian(span, value); else BinaryPrimitives.WriteUInt32LittleEndian(span, value);
                return copy;
            }),
        Gen.Select(Gen.Int[0, 100_000], Gen.OneOf((ushort)0, (ushort)1, (ushort)0xFFFF, (ushort)0x8000))
            .Select<int, ushort, Func<byte[], byte[]>>((at, value) => data =>
            {
                if (data.Length < 2) return data;
                var copy = (byte[])data.Clone();
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(at % (copy.Length - 1), 2), value);
                return copy;
            }),
        Gen.Int[1, 100_000].Select<int, Func<byte[], byte[]>>(at => data => data.Length <= 1 ? data : data[..Math.Max(1, at % data.Length)]),
        Gen.Select(Gen.Int[0, 100_000], Gen.Int[1, 256]).Select<int, int, Func<byte[], byte[]>>((at, count) => data =>
        {
            int start = at % data.Length;
            var cut = data[..start].Concat(data[Math.Min(data.Length, start + count)..]).ToArray();
            return cut.Length == 0 ? data : cut;
        }),
        Gen.Select(Gen.Int[0, 100_000], Gen.Byte.Array[1, 64]).Select<int, byte[], Func<byte[], byte[]>>((at, insert) => data =>
        {
            int start = at % (data.Length + 1);
            return [.. data[..start], .. insert, .. data[start..]];
        }),
        Gen.Select(Gen.Int[0, 100_000], Gen.Int[1, 512], Gen.Int[1, 8]).Select<int, int, int, Func<byte[], byte[]>>((at, count, times) => data =>
        {
            int start = at % data.Length;
            var slice = data[start..Math.Min(data.Length, start + count)];
            return [.. data[..start], .. Enumerable.Repeat(slice, times).SelectMany(s => s), .. data[start..]];
        }));
}
