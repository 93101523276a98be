using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace UploadGuard.Bench.Load;

/// <summary>
/// Sends mixed-size multipart uploads through a gateway at a fixed concurrency, then reconciles what the client was
/// told with what the upstream recorded: each upload (identified by an <c>uploadId</c> field and its path) must be
/// either forwarded exactly once with every image protected, or refused with an explicit problem+json reason and never
/// forwarded. Samples the gateway's RSS throughout.
/// </summary>
public sealed class LoadRun(Uri gateway, int gatewayProcessId, Func<string, IReadOnlyList<UpstreamRecord>> upstream, LoadOptions options)
{
    private const string Boundary = "----UploadGuardLoad9f3Kq";
    private const int JpegSlack = 24;

    private sealed record Upload(string Id, string Kind, IReadOnlyList<(string Name, byte[] Data, string Type)> Images, byte[] Body);

    private sealed record Attempt(int Status, string? Reason, double Milliseconds, bool RetryAfter);

    public async Task<LoadReport> RunAsync(Action<string>? log = null)
    {
        var pool = SyntheticPhotos.Pool(options.Seed);
        var random = new Random(options.Seed);
        var uploads = Enumerable.Range(0, options.Uploads).Select(i => MakeUpload(i, pool, random)).ToList();
        var prefix = options.PathPrefix.TrimEnd('/');

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = gateway, Timeout = options.RequestTimeout };
        using var deadline = new CancellationTokenSource(options.Deadline);
        int epsilon = options.Epsilon ?? await DefaultEpsilonAsync(client);
        var attempts = new ConcurrentBag<Attempt>();
        var finals = new ConcurrentDictionary<string, (int Status, string Reason)>();
        long rssBefore = ProcessMemory.Rss(gatewayProcessId), peak = rssBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ProcessMemory.Rss(gatewayProcessId));
                try { await Task.Delay(250, sampling.Token); } catch (OperationCanceledException) { }
            }
        });

        var watch = Stopwatch.StartNew();
        int done = 0;
        try
        {
            await Parallel.ForEachAsync(uploads, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = deadline.Token }, async (upload, ct) =>
            {
                finals[upload.Id] = await SendAsync(client, $"{prefix}/{upload.Id}", upload, attempts, ct);
                if (Interlocked.Increment(ref done) % 250 == 0)
                    log?.Invoke($"{done} uploads answered after {watch.Elapsed.TotalSeconds:0} s; gateway RSS {ProcessMemory.Rss(gatewayProcessId) / 1048576} MiB");
            });
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            log?.Invoke("deadline reached: the rest counts as lost");
        }
        var elapsed = watch.Elapsed;
        await sampling.CancelAsync();
        await sampler;
        peak = Math.Max(peak, ProcessMemory.PeakRss(gatewayProcessId));   // the kernel's own high-water mark catches peaks between samples

        return Reconcile(uploads, finals, attempts, upstream(prefix + "/"), elapsed, peak, rssBefore, ProcessMemory.Rss(gatewayProcessId), epsilon);
    }

    private async Task<(int Status, string Reason)> SendAsync(HttpClient client, string path, Upload upload, ConcurrentBag<Attempt> attempts, CancellationToken ct)
    {
        (int, string) last = (0, "lost: never answered");
        for (int attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            var watch = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                var content = new ByteArrayContent(upload.Body);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
                response = await client.PostAsync(path, content, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // No answer at all: the gateway may or may not have forwarded it, so it is not retried blindly.
                return (0, $"lost: {ex.GetType().Name}");
            }
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                int status = (int)response.StatusCode;
                bool retryAfter = response.Headers.RetryAfter is not null;
                string reason = status == 201
                    ? (response.Headers.TryGetValues("X-UploadGuard-Status", out var v) ? v.Single() : "no status header")
                    : ReasonOf(text, response.Content.Headers.ContentType?.MediaType);
                attempts.Add(new Attempt(status, reason, watch.Elapsed.TotalMilliseconds, retryAfter));
                last = (status, reason);
                if (status != 503 || !retryAfter) return last;
                var delay = response.Headers.RetryAfter!.Delta ?? TimeSpan.FromSeconds(1);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds, options.MaxRetryDelay.TotalMilliseconds) * (0.5 + Random.Shared.NextDouble())), ct);
            }
        }
        return last;
    }

    private static string ReasonOf(string body, string? mediaType)
    {
        if (mediaType != "application/problem+json") return "lost: not problem+json";
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("reason", out var r) ? r.GetString() ?? "lost: null reason" : "lost: no reason";
        }
        catch (JsonException)
        {
            return "lost: unreadable problem";
        }
    }

    private LoadReport Reconcile(List<Upload> uploads, ConcurrentDictionary<string, (int Status, string Reason)> finals, ConcurrentBag<Attempt> attempts,
        IReadOnlyList<UpstreamRecord> records, TimeSpan elapsed, long peak, long rssBefore, long rssAfter, int epsilon)
    {
        var complete = records.Where(r => r.Complete).ToList();
        var byId = complete.GroupBy(r => r.Path.Split('/', '?')[^1]).ToDictionary(g => g.Key, g => g.ToList());
        var lost = new List<string>();
        int forwarded = 0, refused = 0, verified = 0, unexpected = 0;
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var upload in uploads)
        {
            var (status, reason) = finals.TryGetValue(upload.Id, out var f) ? f : (0, "lost: not sent before the deadline");
            var key = $"{upload.Kind}: " + (status == 0 ? reason : $"{status} {reason}");
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            var seen = byId.GetValueOrDefault(upload.Id) ?? [];
            if (status == 201)
            {
                if (seen.Count != 1)
                {
                    lost.Add($"{upload.Id}: answered 201 but the upstream recorded it {seen.Count} times");
                    unexpected += Math.Max(0, seen.Count - 1);
                    continue;
                }
                var problem = Verify(upload, seen[0], epsilon, ref verified);
                if (problem is not null) lost.Add($"{upload.Id}: {problem}");
                else forwarded++;
            }
            else if (status is >= 400 and < 600 && !reason.StartsWith("lost", StringComparison.Ordinal))
            {
                if (seen.Count != 0)
                {
                    lost.Add($"{upload.Id}: refused with {status} {reason} but the upstream recorded it");
                    unexpected += seen.Count;
                    continue;
                }
                refused++;
            }
            else
            {
                lost.Add($"{upload.Id}: {reason}");
            }
        }
        var known = uploads.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        unexpected += complete.Count(r => !known.Contains(r.Path.Split('/', '?')[^1]));

        var latencies = attempts.Select(a => a.Milliseconds).Order().ToArray();
        double Percentile(double p) => latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        return new LoadReport
        {
            Uploads = uploads.Count,
            Concurrency = options.Concurrency,
            Elapsed = elapsed,
            Outcomes = outcomes,
            Attempts = attempts.GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count()),
            Status503 = attempts.Count(a => a.Status == 503),
            Status503WithRetryAfter = attempts.Count(a => a.Status == 503 && a.RetryAfter),
            Forwarded = forwarded,
            Refused = refused,
            Lost = lost,
            UpstreamRecords = complete.Count,
            UpstreamUnexpected = unexpected,
            ImagesVerified = verified,
            LatencyP50Ms = Percentile(0.50),
            LatencyP95Ms = Percentile(0.95),
            LatencyP99Ms = Percentile(0.99),
            PeakRssBytes = peak,
            RssBeforeBytes = rssBefore,
            RssAfterBytes = rssAfter,
            BytesSent = uploads.Sum(u => (long)u.Body.Length),
        };
    }

    /// <summary>The recorded body holds this upload's id and, in place of each image, a protected version of it.</summary>
    private static string? Verify(Upload upload, UpstreamRecord record, int epsilon, ref int verified)
    {
        var parts = ReadParts(record.Body, record.ContentType);
        if (!parts.TryGetValue("uploadId", out var id) || Encoding.UTF8.GetString(id) != upload.Id)
            return "the forwarded body does not carry its uploadId";
        foreach (var (name, original, _) in upload.Images)
        {
            if (!parts.TryGetValue(name, out var forwarded)) return $"part {name} missing upstream";
            if (forwarded.AsSpan().SequenceEqual(original)) return $"part {name} was forwarded unprotected";
            using var a = Image.Load<Rgba32>(original);
            using var b = Image.Load<Rgba32>(forwarded);
            if (a.Width != b.Width || a.Height != b.Height) return $"part {name} changed size";
            int bound = epsilon + (forwarded[0] == 0xFF ? JpegSlack : 0);
            int max = MaxAbs(a, b);
            if (max > bound) return $"part {name}: L-inf {max} > {bound}";
            verified++;
        }
        return null;
    }

    /// <summary>The forwarded form's parts by name, framed by the boundary the gateway wrote into the forwarded Content-Type.</summary>
    private static Dictionary<string, byte[]> ReadParts(byte[] body, string? contentType)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var boundary = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
            ? Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Boundary).Value
            : null;
        if (boundary is null) return result;
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
        {
            if (!Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
            using var content = new MemoryStream();
            section.Body.CopyTo(content);
            result[disposition.Name.Value!.Trim('"')] = content.ToArray();
        }
        return result;
    }

    private static int MaxAbs(Image<Rgba32> a, Image<Rgba32> b)
    {
        int max = 0;
        for (int y = 0; y < a.Height; y++)
            for (int x = 0; x < a.Width; x++)
            {
                Rgba32 p = a[x, y], q = b[x, y];
                max = Math.Max(max, Math.Max(Math.Max(Math.Abs(p.R - q.R), Math.Abs(p.G - q.G)), Math.Max(Math.Abs(p.B - q.B), Math.Abs(p.A - q.A))));
            }
        return max;
    }

    /// <summary>
    /// Mixed uploads: mostly one small photo (32-512 px, JPEG, PNG or WebP), some with two, a few large ones
    /// (1024-1600 px), some damaged (refused 422) and some forms without any image.
    /// </summary>
    private static Upload MakeUpload(int index, IReadOnlyList<(byte[] Data, string Type, bool Large)> pool, Random random)
    {
        var id = $"u{index:D5}";
        int roll = random.Next(100);
        var small = pool.Where(p => !p.Large).ToList();
        var images = new List<(string, byte[], string)>();
        string kind;
        if (roll < 70) { kind = "one"; images.Add(("photo", small[random.Next(small.Count)].Data, "")); }
        else if (roll < 85) { kind = "two"; images.Add(("photo", small[random.Next(small.Count)].Data, "")); images.Add(("second", small[random.Next(small.Count)].Data, "")); }
        else if (roll < 90) { kind = "large"; var large = pool.Where(p => p.Large).ToList(); images.Add(("photo", large[random.Next(large.Count)].Data, "")); }
        else if (roll < 95) kind = "damaged";
        else kind = "no-image";

        var parts = new List<(string Name, string? FileName, string Type, byte[] Data)> { ("uploadId", null, "", Encoding.UTF8.GetBytes(id)) };
        foreach (var (name, data, _) in images)
            parts.Add((name, name + MultipartForm.Extension(data), MultipartForm.TypeOf(data), data));
        if (kind == "damaged")
        {
            // Cut inside the first IDAT chunk: refused (422 truncated) before decoding, as any PNG cut short is; it must
            // never go upstream as it was sent.
            var png = small.First(p => p.Type == "image/png").Data;
            images.Add(("photo", png[..200], ""));
            parts.Add(("photo", "damaged.png", "image/png", png[..200]));
        }
        parts.Add(("caption", null, "", Encoding.UTF8.GetBytes($"load test {kind} ✓")));

        return new Upload(id, kind, images, MultipartForm.Write(Boundary, parts));
    }

    /// <summary>The budget a route without its own gets: the active model's claimed epsilon, as <c>/readyz</c> reports it.</summary>
    private static async Task<int> DefaultEpsilonAsync(HttpClient client)
    {
        using var ready = JsonDocument.Parse(await client.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
        return ready.RootElement.GetProperty("defaultEpsilon").GetInt32();
    }

    /// <summary>The gateway's uploads-in-flight and buffered-bytes gauges (both 0 once it is idle again).</summary>
    public static async Task<(double InFlight, double Buffered)> GaugesAsync(Uri gateway)
    {
        using var http = new HttpClient { BaseAddress = gateway };
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        double Gauge(string name) => text.Split('\n')
            .Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).FirstOrDefault(double.NaN);
        return (Gauge("uploadguard_uploads_in_flight"), Gauge("uploadguard_buffered_bytes"));
    }

}
