using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.Tests.Common;

namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>The gateway as a real process on loopback, driven by curl.</summary>
public sealed class GatewayProcessTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("uploadguard-process-").FullName;
    private readonly RecordingUpstream _upstream = new();
    private ChildProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
        // Configuration through the environment, as an operator would give it; the demo upstream stays on (the default).
        var environment = GatewayFixture.ProcessEnvironment(_upstream.Address);
        environment["DemoUpstream__StoragePath"] = Store;
        _gateway = await GatewayFixture.StartProcessAsync(environment);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Readme_curl_round_trip_through_the_embedded_demo_upstream()
    {
        var photo = Path.Combine(_work, "cat.png");
        var original = TestPhotos.Png(80, 60, seed: 31);
        await File.WriteAllBytesAsync(photo, original);
        var fetched = Path.Combine(_work, "cat-protected.png");

        var upload = await Curl.RunAsync("-F", $"photo=@{photo}", new Uri(_gateway.Address, "/demo/upload").ToString());
        Assert.True(upload.ExitCode == 0, upload.Output);
        Assert.Contains("\"fileName\":\"cat.png\"", upload.Output);
        var fetch = await Curl.RunAsync("--fail", "-o", fetched, new Uri(_gateway.Address, "/demo/files/cat.png").ToString());
        Assert.True(fetch.ExitCode == 0, fetch.Output);

        var stored = await File.ReadAllBytesAsync(fetched);
        Assert.NotEqual(original, stored);
        // The shipped owner-keyed model at its claimed epsilon, with the demo route's fallback owner.
        Assert.InRange(PixelDifference.MaxAbs(original, stored), 1, GatewayFixture.DefaultEpsilon);
    }

    [Fact]
    public async Task Curl_upload_with_expect_100_continue_reaches_the_real_upstream_protected()
    {
        var photo = Path.Combine(_work, "big.jpg");
        var original = TestPhotos.Jpeg(900, 700, seed: 32);
        await File.WriteAllBytesAsync(photo, original);
        var path = $"/site/{Guid.NewGuid():N}/upload";

        var result = await Curl.RunAsync("-H", "Expect: 100-continue", "-F", "title=Ünïcødé ✓", "-F", $"image=@{photo};type=image/jpeg",
            "-D", "-", new Uri(_gateway.Address, path).ToString());

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("X-UploadGuard-Status: perturbed", result.Output);
        var received = Assert.Single(_upstream.Received(path));
        Assert.Contains("Ünïcødé ✓", System.Text.Encoding.UTF8.GetString(received.Body));
        Assert.False(received.Headers.ContainsKey("Expect"));
    }

    [Fact]
    public async Task WebSocket_progress_with_the_token_in_the_query_string_and_no_token_in_the_logs()
    {
        var events = new ConcurrentQueue<JobEvent>();
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_gateway.Address, "/hubs/progress"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(GatewayFixture.AliceToken);
            })
            .Build();
        connection.On<JobEvent>("stage", events.Enqueue);
        await connection.StartAsync();
        var job = "ws-" + Guid.NewGuid().ToString("N");
        await connection.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", job);

        var photo = await WritePhotoAsync();
        var result = await Curl.RunAsync("-H", $"X-UploadGuard-Token: {GatewayFixture.AliceToken}", "-H", $"X-UploadGuard-Job: {job}",
            "-F", $"photo=@{photo}", new Uri(_gateway.Address, $"/site/{Guid.NewGuid():N}/upload").ToString());
        Assert.True(result.ExitCode == 0, result.Output);

        await Eventually.HoldsAsync(() => events.Any(e => e.Stage == JobStage.Done));
        Assert.Equal(JobStage.Done, events.Last().Stage);
        Assert.DoesNotContain(GatewayFixture.AliceToken, _gateway.Output);
    }

    [Fact]
    public async Task Health_readiness_and_metrics_endpoints_answer()
    {
        using var http = new HttpClient { BaseAddress = _gateway.Address };
        Assert.Equal("Healthy", await http.GetStringAsync("/healthz"));
        var info = JsonDocument.Parse(await http.GetStringAsync("/")).RootElement;
        Assert.Equal(JsonValueKind.Null, info.GetProperty("warning").ValueKind);
        Assert.StartsWith("measured at epsilon ", info.GetProperty("claimedProtection").GetString());

        await Curl.RunAsync("-F", $"photo=@{await WritePhotoAsync()}", new Uri(_gateway.Address, "/demo/upload").ToString());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("uploadguard_images", metrics);
        // The owner texture is a tile lookup, not a batched network pass: stage times, not batch sizes, show its work.
        Assert.Contains("uploadguard_stage_duration", metrics);
    }

    [Fact]
    public async Task Readiness_answers_json_naming_the_model_whether_it_is_trained_what_it_claims_and_the_engine_state()
    {
        using var http = new HttpClient { BaseAddress = _gateway.Address };
        var response = await http.GetAsync("/readyz");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var ready = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("warm", ready.GetProperty("engine").GetString());
        var card = GatewayFixture.ShippedCard;
        Assert.Equal(card.Version, ready.GetProperty("model").GetProperty("version").GetString());
        Assert.True(ready.GetProperty("model").GetProperty("trained").GetBoolean());
        Assert.True(ready.GetProperty("model").GetProperty("ownerKeyed").GetBoolean());
        Assert.Equal(card.ClaimedProtection, ready.GetProperty("claimedProtection").GetString());
        Assert.Equal(card.Claim!.Epsilon, ready.GetProperty("claimEpsilon").GetInt32());
        Assert.Equal(GatewayFixture.DefaultEpsilon, ready.GetProperty("defaultEpsilon").GetInt32());
        Assert.Equal(JsonValueKind.Null, ready.GetProperty("warning").ValueKind);
    }

    [Fact]
    public async Task Headers_name_the_owner_key_and_the_measured_claim_and_never_say_protected()
    {
        var headers = await UploadHeadersAsync(_gateway);

        foreach (var (name, lines) in headers)
        {
            Assert.Contains("X-UploadGuard-Status: perturbed", lines);
            Assert.Contains("X-UploadGuard-Claim: measured", lines);
            Assert.Contains($"X-UploadGuard-Epsilon: {GatewayFixture.DefaultEpsilon}", lines);
            Assert.Contains(lines, h => h.StartsWith("X-UploadGuard-Owner-Key-Id: k-", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, h => h.StartsWith("X-UploadGuard-Warning", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, h => System.Text.RegularExpressions.Regex.IsMatch(h, @"\bprotected\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
            Assert.True(lines.Count >= 8, $"{name}: {string.Join(" | ", lines)}");
        }
    }

    [Fact]
    public async Task With_the_untrained_placeholder_active_headers_say_perturbed_and_none_claimed_and_warn()
    {
        var registry = Path.Combine(_work, "placeholder-registry");
        ShippedRegistry.CopyTo(registry, ShippedRegistry.Placeholder);
        var environment = GatewayFixture.ProcessEnvironment(_upstream.Address);
        environment["Engine__ModelsPath"] = registry;
        environment["DemoUpstream__Enabled"] = "false";
        await using var placeholder = await GatewayFixture.StartProcessAsync(environment);

        foreach (var (name, lines) in await UploadHeadersAsync(placeholder))
        {
            Assert.Contains("X-UploadGuard-Status: perturbed", lines);
            Assert.Contains("X-UploadGuard-Perturbed: 1", lines);
            Assert.Contains("X-UploadGuard-Claim: none-claimed", lines);
            Assert.Contains("X-UploadGuard-Epsilon: 8", lines);
            Assert.Contains("X-UploadGuard-Warning: untrained model: no protection claimed", lines);
            Assert.Contains("X-UploadGuard-Linf-Decoder: imagesharp", lines);
            Assert.Contains(lines, h => h.StartsWith("X-UploadGuard-Linf-Before-Encoding: ", StringComparison.Ordinal));
            Assert.Contains(lines, h => h.StartsWith("X-UploadGuard-Linf-Decoded: ", StringComparison.Ordinal));
            // The placeholder draws no key, so no key id is named even where the route has an owner.
            Assert.DoesNotContain(lines, h => h.StartsWith("X-UploadGuard-Owner-Key-Id", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, h => System.Text.RegularExpressions.Regex.IsMatch(h, @"\bprotected\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
            Assert.True(lines.Count >= 8, $"{name}: {string.Join(" | ", lines)}");
        }
    }

    /// <summary>The X-UploadGuard-* response headers of one JPEG sent through the proxy and through /api/protect.</summary>
    private async Task<List<(string Name, List<string> Headers)>> UploadHeadersAsync(ChildProcess gateway)
    {
        var photo = Path.Combine(_work, "h.jpg");
        await File.WriteAllBytesAsync(photo, TestPhotos.Jpeg(120, 90, seed: 34));

        var proxied = await Curl.RunAsync("-s", "-o", "/dev/null", "-D", "-", "-F", $"photo=@{photo};type=image/jpeg",
            new Uri(gateway.Address, $"/site/{Guid.NewGuid():N}/upload").ToString());
        var api = await Curl.RunAsync("-s", "-o", "/dev/null", "-D", "-", "-H", $"Authorization: Bearer {GatewayFixture.AliceToken}",
            "-H", "Content-Type: image/jpeg", "--data-binary", $"@{photo}", new Uri(gateway.Address, "/api/protect").ToString());

        var all = new List<(string, List<string>)>();
        foreach (var (name, result) in new[] { ("proxy", proxied), ("api", api) })
        {
            Assert.True(result.ExitCode == 0, result.Output);
            all.Add((name, result.Output.Split("\r\n").Where(l => l.StartsWith("X-UploadGuard-", StringComparison.OrdinalIgnoreCase)).ToList()));
        }
        return all;
    }

    [Fact]
    public async Task A_refused_upload_counts_one_failure_and_api_protect_counts_images_and_failures_with_a_path_label()
    {
        using var http = new HttpClient { BaseAddress = _gateway.Address };
        var broken = Path.Combine(_work, "broken.png");
        await File.WriteAllBytesAsync(broken, "not really a png"u8.ToArray());
        var before = Metrics.Parse(await http.GetStringAsync("/metrics"));

        var refused = await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code}", "-F", $"photo=@{broken};type=image/png",
            new Uri(_gateway.Address, $"/site/{Guid.NewGuid():N}/upload").ToString());
        Assert.Equal("422", refused.Output.Trim());
        var apiRefused = await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", $"Authorization: Bearer {GatewayFixture.AliceToken}",
            "-H", "Content-Type: image/png", "--data-binary", $"@{broken}", new Uri(_gateway.Address, "/api/protect").ToString());
        Assert.Equal("422", apiRefused.Output.Trim());
        var photo = await WritePhotoAsync();
        var apiPerturbed = await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", $"Authorization: Bearer {GatewayFixture.AliceToken}",
            "-H", "Content-Type: image/png", "--data-binary", $"@{photo}", new Uri(_gateway.Address, "/api/protect").ToString());
        Assert.Equal("200", apiPerturbed.Output.Trim());

        // Every count above happened before its response was sent; the exporter may serve a cached scrape for a moment.
        Metrics after = before;
        var end = DateTime.UtcNow + Eventually.Deadline;
        while (DateTime.UtcNow < end)
        {
            after = Metrics.Parse(await http.GetStringAsync("/metrics"));
            if (after.Sum("uploadguard_images_total", ("path", "api"), ("outcome", "perturbed")) > before.Sum("uploadguard_images_total", ("path", "api"), ("outcome", "perturbed")))
                break;
            await Task.Delay(100);
        }
        double Delta(string name, params (string, string)[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        Assert.Equal(1, Delta("uploadguard_failures_total", ("path", "proxy"), ("reason", "undecodable")));
        Assert.Equal(1, Delta("uploadguard_images_total", ("path", "proxy"), ("outcome", "refused")));
        Assert.Equal(1, Delta("uploadguard_failures_total", ("path", "api"), ("reason", "undecodable")));
        Assert.Equal(1, Delta("uploadguard_images_total", ("path", "api"), ("outcome", "refused")));
        Assert.Equal(1, Delta("uploadguard_images_total", ("path", "api"), ("outcome", "perturbed")));
    }

    private async Task<string> WritePhotoAsync()
    {
        var path = Path.Combine(_work, "m.png");
        await File.WriteAllBytesAsync(path, TestPhotos.Png(seed: 33));
        return path;
    }

    // Issue 17: the embedded default as an attacker meets it (the demo upstream is ASP.NET Core's form reader behind a
    // fail-closed route). Whatever the request, no image the client sent may be stored as it was sent, and what the demo
    // serves back can neither run script nor be sniffed into something else.
    [Fact]
    public async Task No_request_of_the_corpus_gets_an_image_stored_as_it_was_sent()
    {
        using var client = new HttpClient { BaseAddress = _gateway.Address };
        int stored = 0, refused = 0;
        foreach (var input in BadInputCorpus.All.Values)
        {
            var before = StoredFiles();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/demo/upload") { Content = new ByteArrayContent(input.Body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType);
            foreach (var (key, value) in input.Headers)
                request.Content.Headers.TryAddWithoutValidation(key, value);
            var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{input.Name}: {(int)response.StatusCode} {text}");
            if (response.StatusCode != HttpStatusCode.Created)
                refused++;

            foreach (var file in StoredFiles().Except(before))
            {
                stored++;
                var bytes = await File.ReadAllBytesAsync(file);
                var head = bytes.AsSpan(0, Math.Min(bytes.Length, ImageFormatSniffer.HeaderLength));
                if (ImageFormatSniffer.DetectSupported(head) is null && ImageFormatSniffer.DetectUnsupported(head) is null) continue;
                // A protected image is a new encoding; an image stored unprotected is a run of the request's own bytes.
                Assert.False(bytes.Length > 0 && input.Body.AsSpan().IndexOf(bytes) >= 0,
                    $"{input.Name}: '{Path.GetFileName(file)}' ({bytes.Length} bytes) was stored exactly as the client sent it");
            }
        }
        Assert.True(stored > 10 && refused > 10, $"{stored} files stored, {refused} requests refused");
    }

    [Fact]
    public async Task Stored_files_are_served_by_content_without_sniffing_or_script()
    {
        using var client = new HttpClient { BaseAddress = _gateway.Address };
        using var form = new MultipartFormDataContent
        {
            { TestPhotos.File("<html><script>alert(document.domain)</script></html>"u8.ToArray(), "text/html"), "page", "page.html" },
            { TestPhotos.File(TestPhotos.Png(40, 30, seed: 91), "image/png"), "photo", "photo.png" },
        };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/demo/upload", form)).StatusCode);

        var page = await client.GetAsync("/demo/files/page.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("application/octet-stream", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", page.Content.Headers.ContentDisposition?.DispositionType);
        var photo = await client.GetAsync("/demo/files/photo.png");
        Assert.Equal("image/png", photo.Content.Headers.ContentType?.MediaType);
        Assert.Null(photo.Content.Headers.ContentDisposition);
        foreach (var response in new[] { page, photo })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.StartsWith("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    private string Store => Path.Combine(_work, "demo-store");

    private string[] StoredFiles() => Directory.Exists(Store) ? Directory.GetFiles(Store) : [];
}
