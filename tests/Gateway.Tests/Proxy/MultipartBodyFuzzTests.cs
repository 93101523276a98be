using System.Diagnostics;
using System.Text;
using CsCheck;
using UploadGuard.Gateway.Proxy;
using UploadGuard.Tests.Common;
using Xunit.Abstractions;

namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>
/// Property-based fuzzing of the multipart rewriter (SharpFuzz needs an instrumented build and a native libFuzzer or
/// AFL driver, neither of which this toolchain has, so CsCheck drives it). Well-formed bodies must round-trip byte for
/// byte; arbitrary and mutated bodies must either parse into consistent parts or fail with
/// <see cref="MalformedMultipartException"/>, which the gateway answers 400. Anything else would be a 500.
/// </summary>
public sealed class MultipartBodyFuzzTests(ITestOutputHelper output)
{
    private const string BoundaryChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?";

    private static readonly byte[][] Tokens =
    [
        "\r\n"u8.ToArray(), "--"u8.ToArray(), "\r\n\r\n"u8.ToArray(), ":"u8.ToArray(), " "u8.ToArray(), "\t"u8.ToArray(),
        "Content-Disposition: form-data; name=\"f\"; filename=\"a.png\""u8.ToArray(), "Content-Type: image/png"u8.ToArray(),
        "filename*=UTF-8''%E2%82%AC%FF.png"u8.ToArray(), [0xFF, 0xFE, 0x00], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        [0xFF, 0xD8, 0xFF], "GIF89a"u8.ToArray(), "\""u8.ToArray(), ";"u8.ToArray(),
    ];

    private static readonly string[] HeaderLines =
    [
        "Content-Disposition: form-data; name=\"caption\"",
        "Content-Disposition: form-data; name=\"photo\"; filename=\"holiday.png\"",
        "Content-Disposition: form-data; name=\"photo\"; filename=\"../../etc/passwd.jpg\"",
        "Content-Disposition: form-data; name=\"p\"; filename*=UTF-8''%E6%9D%B1%E4%BA%AC.webp",
        "Content-Disposition: form-data; name=\"p\"; filename*=bogus''%ZZ.png",
        "Content-Disposition: form-data; name=; filename=",
        "Content-Disposition: attachment",
        "Content-Disposition: \"unterminated",
        "Content-Type: image/png",
        "Content-Type: application/octet-stream",
        "Content-Type: image/",
        "Content-Type: ;;;",
        "X-Custom:",
        "x:y",
        "Content-Length: 12",
    ];

    private readonly FuzzCorpus _corpus = new("multipart");

    /// <summary>A well-formed body and what went into it.</summary>
    private sealed record Form(string Boundary, string Preamble, IReadOnlyList<(string[] Headers, byte[] Body)> Parts, byte[] Epilogue, byte[] Raw)
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
            BytesGen(40))
        .Select((boundary, preamble, parts, epilogue) => Build(boundary, preamble, parts.Select(p => (p.Item1.Select(i => HeaderLines[i]).ToArray(), p.Item2)).ToList(), epilogue))
        .Where(f => f is not null)
        .Select(f => f!);

    private static Form? Build(string boundary, string preamble, IReadOnlyList<(string[] Headers, byte[] Body)> parts, byte[] epilogue)
    {
        var delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        var dash = Encoding.ASCII.GetBytes("--" + boundary);
        // A body that happens to hold the delimiter is not well-formed: the property needs a well-formed one.
        if (parts.Any(p => ((byte[])[.. "\r\n"u8, .. p.Body, .. "\r\n"u8]).AsSpan().IndexOf(delimiter) >= 0) || preamble.Contains("--", StringComparison.Ordinal))
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
        raw.Write(epilogue);
        return new Form(boundary, preamble, parts, epilogue, raw.ToArray());
    }

    [Fact]
    public void Well_formed_bodies_round_trip_and_only_replaced_bytes_change()
    {
        var started = Stopwatch.StartNew();
        var cases = Gen.Select(FormGen, Gen.Bool.Array[6], Gen.Byte.Array[0, 200].Array[6]);
        cases.Sample((form, replace, contents) =>
        {
            var parsed = MultipartBody.Parse(form.Raw, form.Boundary);
            Assert.Equal(form.Parts.Count, parsed.Parts.Count);
            for (int i = 0; i < parsed.Parts.Count; i++)
                Assert.Equal(form.Parts[i].Body, form.Raw[parsed.Parts[i].BodyStart..parsed.Parts[i].BodyEnd]);
            Assert.Same(form.Raw, parsed.Rewrite(new Dictionary<int, byte[]>()));

            var delimiter = Encoding.ASCII.GetBytes("\r\n--" + form.Boundary);
            var replacements = Enumerable.Range(0, parsed.Parts.Count)
                .Where(i => replace[i] && ((byte[])[.. "\r\n"u8, .. contents[i], .. "\r\n"u8]).AsSpan().IndexOf(delimiter) < 0)
                .ToDictionary(i => i, i => contents[i]);
            var rewritten = parsed.Rewrite(replacements);

            // Expected: the original with exactly those body ranges spliced, and in a replaced part that has its own
            // Content-Length header, that header saying the new length (the other header lines as they were built).
            var expected = new List<byte>();
            int copied = 0;
            foreach (var part in parsed.Parts.Where(p => replacements.ContainsKey(p.Index)))
            {
                var content = replacements[part.Index];
                if (part.Headers.ContainsKey("Content-Length"))
                {
                    expected.AddRange(form.Raw[copied..part.HeaderStart]);
                    foreach (var line in form.Parts[part.Index].Headers)
                        expected.AddRange(Encoding.UTF8.GetBytes((line.StartsWith("Content-Length:", StringComparison.Ordinal) ? $"Content-Length: {content.Length}" : line) + "\r\n"));
                    expected.AddRange("\r\n"u8.ToArray());
                }
                else
                {
                    expected.AddRange(form.Raw[copied..part.BodyStart]);
                }
                expected.AddRange(content);
                copied = part.BodyEnd;
            }
            expected.AddRange(form.Raw[copied..]);
            Assert.Equal(expected.ToArray(), rewritten);

            var again = MultipartBody.Parse(rewritten, form.Boundary);
            Assert.Equal(parsed.Parts.Count, again.Parts.Count);
            for (int i = 0; i < again.Parts.Count; i++)
            {
                var want = replacements.TryGetValue(i, out var r) ? r : form.Parts[i].Body;
                Assert.Equal(want, rewritten[again.Parts[i].BodyStart..again.Parts[i].BodyEnd]);
                var headers = new Dictionary<string, string>(parsed.Parts[i].Headers, StringComparer.OrdinalIgnoreCase);
                if (r is not null && headers.ContainsKey("Content-Length"))
                    headers["Content-Length"] = r.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(headers, again.Parts[i].Headers);
            }
            _corpus.Observe($"roundtrip:{Shape(parsed)}:{(replacements.Count > 0 ? "rewritten" : "as-is")}", FuzzCorpus.Join(form.Boundary, form.Raw));
        }, time: FuzzCorpus.Seconds(5), threads: 1, print: t => t.Item1.ToString());
        Report(started.Elapsed, "well-formed");
    }

    [Fact]
    public void Mutated_and_arbitrary_bodies_parse_consistently_or_are_malformed()
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
            parsed = MultipartBody.Parse(raw, boundary);
        }
        catch (MalformedMultipartException ex)
        {
            return "malformed:" + ex.Message;
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
            _ = UploadProcessor.Classify(raw.AsSpan(part.BodyStart, part.Length), part.ContentType, part.FileName);
        }
        Assert.Same(raw, parsed.Rewrite(new Dictionary<int, byte[]>()));
        // Emptying every part gives a body that parses into the same parts, all empty, with the same headers except that
        // a part's own Content-Length now says 0.
        var replaced = parsed.Rewrite(parsed.Parts.ToDictionary(p => p.Index, _ => Array.Empty<byte>()));
        var again = MultipartBody.Parse(replaced, boundary);
        Assert.Equal(parsed.Parts.Count, again.Parts.Count);
        foreach (var (before, after) in parsed.Parts.Zip(again.Parts))
        {
            Assert.Equal(0, after.Length);
            var headers = new Dictionary<string, string>(before.Headers, StringComparer.OrdinalIgnoreCase);
            if (headers.ContainsKey("Content-Length")) headers["Content-Length"] = "0";
            Assert.Equal(headers, after.Headers);
        }
        return $"parsed:{Shape(parsed)}";
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
