using System.Net;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>
/// The embedded default as an attacker meets it: the real gateway process in front of its own demo upstream (ASP.NET
/// Core's form reader behind a fail-closed route). Whatever the request, no image the client sent may be stored as it
/// was sent, and what the demo serves back can neither run script nor be sniffed into something else.
/// </summary>
public sealed class DemoUpstreamIntegrityTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("uploadguard-demo-integrity-").FullName;
    private readonly RecordingUpstream _upstream = new();
    private ChildProcess _gateway = null!;

    private string Store => Path.Combine(_work, "demo-store");

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
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

    private string[] StoredFiles() => Directory.Exists(Store) ? Directory.GetFiles(Store) : [];
}
