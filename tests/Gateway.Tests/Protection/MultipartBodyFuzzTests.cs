using System.Diagnostics;
using System.Text;
using CsCheck;
using Microsoft.AspNetCore.WebUtilities;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.Tests.Common;
using Xunit.Abstractions;
using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Tests.Protection;

/// <summary>
/// Property-based and differential fuzzing of the gateway's multipart parser and writer (SharpFuzz needs an
/// instrumented build and a native libFuzzer or AFL driver, neither of which this toolchain has, so CsCheck drives it).
/// What must hold for any body: the gateway refuses it (<see cref="MalformedMultipartException"/> or
/// <see cref="UnsupportedPartException"/>, answered 400/415), or ASP.NET Core's <see cref="MultipartReader"/> (what the
/// demo upstream and most .NET sites use) finds exactly the parts the gateway found in it, and finds them again, byte for
/// byte, in the body the gateway writes upstream. Anything else would let an upstream see a part the gateway did not.
/// </summary>
public sealed class MultipartBodyFuzzTests(ITestOutputHelper output)
{
    private const string BoundaryChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?";

    private static readonly byte[][] Tokens =
    [
        "\r\n"u8.ToArray(), "--"u8.ToArray(), "\r\n\r\n"u8.ToArray(), ":"u8.ToArray(), " "u8.ToArray(), "\t"u8.ToArray(), "\n"u8.ToArray(), "\r"u8.ToArray(),
        "Content-Disposition: form-data; name=\"f\"; filename=\"a.png\""u8.ToArray(), "Content-Type: image/png"u8.ToArray(),
        "Content-Type: multipart/mixed; boundary=x"u8.ToArray(), "Content-Transfer-Encoding: base64"u8.ToArray(), "Content-Length: 3"u8.ToArray(),
        "filename*=UTF-8''%E2%82%AC%FF.png"u8.ToArray(), [0xFF, 0xFE, 0x00], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        [0xFF, 0xD8, 0xFF], "GIF89a"u8.ToArray(), "\""u8.ToArray(), ";"u8.ToArray(),
    ];

    /// <summary>Header lines a well-formed part may have, at most one per name (names repeat across entries).</summary>
    private static readonly (string Name, string Line)[] HeaderLines =
    [
        ("Content-Disposition", "Content-Disposition: form-data; name=\"caption\""),
        ("Content-Disposition", "Content-Disposition: form-data; name=\"photo\"; filename=\"holiday.png\""),
        ("Content-Disposition", "Content-Disposition: form-data; name=\"photo\"; filename=\"../../etc/passwd.jpg\""),
        ("Content-Disposition", "Content-Disposition: form-data; name=\"p\"; filename*=UTF-8''%E6%9D%B1%E4%BA%AC.webp"),
        ("Content-Disposition", "Content-Disposition: form-data; name=; filename="),
        ("Content-Disposition", "Content-Disposition: attachment"),
        ("Content-Type", "Content-Type: image/png"),
        ("Content-Type", "Content-Type: application/octet-stream"),
        ("Content-Type", "Content-Type: ;;;"),
        ("X-Custom", "X-Custom:"),
        ("x", "x:y"),
        ("Content-Transfer-Encoding", "Content-Transfer-Encoding: binary"),
        ("Content-Length", "Content-Length: {length}"),
    ];

    private readonly FuzzCorpus _corpus = new("multipart");

    /// <summary>A well-formed body and what went into it.</summary>
    private sealed record Form(string Boundary, IReadOnlyList<(string[] Headers, byte[] Body)> Parts, byte[] Raw)
    {
        public override string ToString() => $"boundary={Boundary} parts={Parts.Count} raw={Convert.ToBase64String(Raw)}";
    }

    private static Gen<string> BoundaryGen => Gen.Char[BoundaryChars].Array[1, 70].Select(c => new string(c).TrimEnd(' ')).Where(b => b.Length > 0);

    private static Gen<byte[]> BytesGen(int max) =>
        Gen.Frequency(
            (3, Gen.Byte.Array[0, max]),
            (2, Gen.Int[0, Tokens.Length - 1].Array[0, 12].Select(ix => ix.SelectMany(i => Tokens[i]).ToArray())),
            (1, Gen.Select(Gen.Byte.Array[0, max / 2], Gen.Int[0, Tokens.Length - 1], (a, t) => (byte[])[.. a, .. Tokens[t], .. a])));

    private static Gen<Form> FormGen =>
        Gen.Select(
            BoundaryGen,
            Gen.Frequency((3, Gen.Const("")), (1, Gen.String[Gen.Char['a', 'z'], 0, 20].Select(s => s + "\r\n"))),
            Gen.Select(Gen.Int[0, HeaderLines.Length - 1].Array[0, 4], BytesGen(300)).Array[0, 6],
            Gen.Int[0, 2].Select(i => new[] { "", "\r\n", " \r\n\r\n" }[i]))
        .Select((boundary, preamble, parts, epilogue) => Build(boundary, preamble, parts.Select(p => (Lines(p.Item1, p.Item2.Length), p.Item2)).ToList(), epilogue))
        .Where(f => f is not null)
        .Select(f => f!);

    /// <summary>The chosen header lines, first of each name only, a Content-Length saying the true length.</summary>
    private static string[] Lines(int[] chosen, int length) =>
        chosen.Select(i => HeaderLines[i]).DistinctBy(h => h.Name, StringComparer.OrdinalIgnoreCase)
            .Select(h => h.Line.Replace("{length}", length.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)).ToArray();

    private static Form? Build(string boundary, string preamble, IReadOnlyList<(string[] Headers, byte[] Body)> parts, string epilogue)
    {
        var dash = Encoding.ASCII.GetBytes("--" + boundary);
        // A body that happens to hold the boundary is not well-formed: the property needs a well-formed one.
        if (parts.Any(p => p.Body.AsSpan().IndexOf(dash) >= 0 || p.Body.AsSpan().StartsWith("--"u8)) || preamble.Contains(boundary, StringComparison.Ordinal))
            return null;
        using var raw = new MemoryStream();
        raw.Write(Encoding.ASCII.GetBytes(preamble));
        foreach (var (headers, body) in parts)
        {
            raw.Write(dash);
            raw.Write("\r\n"u8);
            foreach (var line in headers) raw.Write(Encoding.UTF8.GetBytes(line + "\r\n"));
            raw.Write("\r\n"u8);
            raw.Write(body);
            raw.Write("\r\n"u8);
        }
        raw.Write(dash);
        raw.Write("--"u8);
        raw.Write(Encoding.ASCII.GetBytes(epilogue));
        return new Form(boundary, parts, raw.ToArray());
    }

    [Fact]
    public void Well_formed_bodies_parse_into_their_parts_and_are_written_upstream_as_the_same_parts()
    {
        var started = Stopwatch.StartNew();
        var cases = Gen.Select(FormGen, Gen.Bool.Array[6], Gen.Byte.Array[0, 200].Array[6]);
        cases.Sample((form, replace, contents) =>
        {
            var parsed = Multipart.Parse(form.Raw, form.Boundary);
            Assert.Equal(form.Parts.Count, parsed.Parts.Count);
            for (int i = 0; i < parsed.Parts.Count; i++)
            {
                Assert.Equal(form.Parts[i].Body, parsed.Content(parsed.Parts[i]).ToArray());
                Assert.Equal(form.Parts[i].Headers, parsed.Parts[i].RawHeaders.Select(h => Encoding.UTF8.GetString(h.Value)));
            }
            var replacements = Enumerable.Range(0, parsed.Parts.Count).Where(i => replace[i]).ToDictionary(i => i, i => contents[i]);
            AssertWrittenFaithfully(parsed, replacements);
            _corpus.Observe($"roundtrip:{Shape(parsed)}:{(replacements.Count > 0 ? "rewritten" : "as-is")}", FuzzCorpus.Join(form.Boundary, form.Raw));
        }, time: FuzzCorpus.Seconds(5), threads: 1, print: t => t.Item1.ToString());
        Report(started.Elapsed, "well-formed");
    }

    [Fact]
    public void Mutated_and_arbitrary_bodies_are_refused_or_read_alike_by_the_gateway_and_ASP_NET_Core()
    {
        var started = Stopwatch.StartNew();
        var mutated = Gen.Select(FormGen, Mutation.Array[1, 4]).Select((form, mutations) =>
            (form.Boundary, mutations.Aggregate(form.Raw, (raw, m) => m(raw, form.Boundary))));
        var arbitrary = Gen.Select(BoundaryGen, BytesGen(400)).Select((b, raw) => (b, raw));
        var wrongBoundary = Gen.Select(FormGen, BoundaryGen).Select((form, other) => (other, form.Raw));
        var cases = Gen.Frequency((6, mutated), (2, arbitrary), (1, wrongBoundary));

        int failures = 0;
        cases.Sample((boundary, raw) =>
        {
            try
            {
                _corpus.Observe(Check(raw, boundary), FuzzCorpus.Join(boundary, raw));
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref failures);
                throw new InvalidOperationException($"{ex.GetType().Name}: {ex.Message} on {_corpus.Failure(FuzzCorpus.Join(boundary, raw), ex)}", ex);
            }
        }, time: FuzzCorpus.Seconds(5), threads: 1, print: t => $"boundary={t.Item1} raw={Convert.ToBase64String(t.Item2)}");
        Report(started.Elapsed, "mutated", failures);
    }

    [Fact]
    public void Committed_corpus_replays_without_surprises()
    {
        var inputs = _corpus.Committed();
        Assert.NotEmpty(inputs);
        foreach (var (name, data) in inputs)
        {
            var (boundary, raw) = FuzzCorpus.Split(data);
            var exception = Record.Exception(() => Check(raw, boundary));
            Assert.True(exception is null, $"{name}: {exception}");
        }
        output.WriteLine($"{inputs.Count} committed multipart inputs replayed");
    }

    /// <summary>The property every body must have; returns a description of its outcome.</summary>
    private static string Check(byte[] raw, string boundary)
    {
        MultipartBody parsed;
        try
        {
            parsed = Multipart.Parse(raw, boundary);
        }
        catch (MalformedMultipartException ex)
        {
            return "malformed:" + ex.Message;
        }
        catch (UnsupportedPartException ex)
        {
            return "unsupported:" + ex.Reason;
        }

        int previousEnd = 0;
        foreach (var part in parsed.Parts)
        {
            Assert.InRange(part.BodyStart, previousEnd, raw.Length);
            Assert.InRange(part.BodyEnd, part.BodyStart, raw.Length);
            previousEnd = part.BodyEnd;
            // What the processor reads from each part must not throw either.
            _ = part.Name;
            _ = part.FileName;
            _ = part.ContentType;
            _ = UploadProcessor.Classify(parsed.Content(part), part.ContentType, part.FileName);
        }
        // Where ASP.NET Core reads the client's body at all, it must read the parts the gateway read.
        if (AspNetParts(raw, boundary) is { } theirs)
            AssertSameParts(parsed, parsed.Parts.Select(p => parsed.Content(p).ToArray()).ToList(), theirs, "the client's body");
        AssertWrittenFaithfully(parsed, parsed.Parts.ToDictionary(p => p.Index, _ => Array.Empty<byte>()));
        AssertWrittenFaithfully(parsed, new Dictionary<int, byte[]>());
        return $"parsed:{Shape(parsed)}";
    }

    /// <summary>
    /// What the gateway writes upstream holds the parsed parts (replaced contents where asked), for the gateway's parser
    /// and for ASP.NET Core's, with a boundary of its own and no Content-Length left from the client.
    /// </summary>
    private static void AssertWrittenFaithfully(MultipartBody parsed, Dictionary<int, byte[]> replacements)
    {
        var written = parsed.Write(replacements, out var contentType);
        Assert.True(StrictMediaType.TryParse(contentType, out var type));
        Assert.Equal(parsed.MediaType.MediaType, type!.MediaType);
        var expected = parsed.Parts.Select(p => replacements.TryGetValue(p.Index, out var r) ? r : parsed.Content(p).ToArray()).ToList();

        var again = MultipartBody.Parse(written, type);
        Assert.Equal(parsed.Parts.Count, again.Parts.Count);
        foreach (var (before, after) in parsed.Parts.Zip(again.Parts))
        {
            Assert.Equal(expected[before.Index], again.Content(after).ToArray());
            Assert.Equal(before.RawHeaders.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value), after.RawHeaders.Select(h => h.Value));
        }
        var theirs = AspNetParts(written, type.Boundary);
        Assert.True(theirs is not null, "ASP.NET Core cannot read the body the gateway writes");
        AssertSameParts(again, expected, theirs, "the gateway's body");
    }

    private static void AssertSameParts(MultipartBody ours, List<byte[]> contents, List<(Dictionary<string, string> Headers, byte[] Body)> theirs, string what)
    {
        Assert.True(ours.Parts.Count == theirs.Count, $"{what}: the gateway found {ours.Parts.Count} parts, ASP.NET Core {theirs.Count}");
        foreach (var (part, (headers, body)) in ours.Parts.Zip(theirs))
        {
            Assert.True(contents[part.Index].AsSpan().SequenceEqual(body), $"{what}: part {part.Index} differs ({contents[part.Index].Length} against {body.Length} bytes)");
            var mine = part.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
            Assert.Equal(mine.Keys.Order(StringComparer.OrdinalIgnoreCase), headers.Keys.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>ASP.NET Core's reading of a body (the limits the gateway uses), or null when it refuses it.</summary>
    private static List<(Dictionary<string, string> Headers, byte[] Body)>? AspNetParts(byte[] raw, string boundary)
    {
        var reader = new MultipartReader(boundary, new MemoryStream(raw))
        {
            HeadersCountLimit = MultipartBody.MaxHeadersPerPart,
            HeadersLengthLimit = MultipartBody.MaxHeaderBytesPerPart,
        };
        var parts = new List<(Dictionary<string, string>, byte[])>();
        try
        {
            while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
            {
                using var body = new MemoryStream();
                section.Body.CopyTo(body);
                parts.Add(((section.Headers ?? []).ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return null;
        }
        return parts;
    }

    /// <summary>Part count and header counts as words, since digits are blanked out of signatures.</summary>
    private static string Shape(MultipartBody parsed)
    {
        static string Word(int n) => n switch { 0 => "none", 1 => "one", 2 => "two", _ => "many" };
        return $"{Word(parsed.Parts.Count)}({string.Join(',', parsed.Parts.Take(3).Select(p => Word(p.Headers.Count)))})";
    }

    private static Gen<Func<byte[], string, byte[]>> Mutation => Gen.OneOf(
        Gen.Select(Gen.Int[0, 10_000], Gen.Byte).Select<int, byte, Func<byte[], string, byte[]>>((at, value) => (raw, _) =>
        {
            if (raw.Length == 0) return raw;
            var copy = (byte[])raw.Clone();
            copy[at % raw.Length] = value;
            return copy;
        }),
        Gen.Select(Gen.Int[0, 10_000], Gen.Int[1, 64]).Select<int, int, Func<byte[], string, byte[]>>((at, count) => (raw, _) =>
        {
            if (raw.Length == 0) return raw;
            int start = at % raw.Length;
            return [.. raw[..start], .. raw[Math.Min(raw.Length, start + count)..]];
        }),
        Gen.Select(Gen.Int[0, 10_000], Gen.Int[0, Tokens.Length]).Select<int, int, Func<byte[], string, byte[]>>((at, token) => (raw, boundary) =>
        {
            int start = raw.Length == 0 ? 0 : at % (raw.Length + 1);
            byte[] insert = token == Tokens.Length ? Encoding.ASCII.GetBytes("\r\n--" + boundary) : Tokens[token];
            return [.. raw[..start], .. insert, .. raw[start..]];
        }),
        Gen.Int[0, 10_000].Select<int, Func<byte[], string, byte[]>>(at => (raw, _) => raw.Length == 0 ? raw : raw[..(at % raw.Length)]),
        Gen.Select(Gen.Int[0, 10_000], Gen.Int[1, 200]).Select<int, int, Func<byte[], string, byte[]>>((at, count) => (raw, _) =>
        {
            if (raw.Length == 0) return raw;
            int start = at % raw.Length;
            var slice = raw[start..Math.Min(raw.Length, start + count)];
            return [.. raw[..start], .. slice, .. slice, .. raw[start..]];
        }));

    private void Report(TimeSpan elapsed, string property, int failures = 0)
    {
        _corpus.Summarise(elapsed, failures);
        output.WriteLine($"{property}: {_corpus.Executions:N0} executions in {elapsed.TotalSeconds:0} s, {_corpus.DistinctSignatures} distinct outcomes");
    }
}
