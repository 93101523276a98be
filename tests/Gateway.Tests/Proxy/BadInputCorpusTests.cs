using System.Net;
using System.Text;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.Tests.Common;

namespace UploadGuard.Gateway.Tests.Proxy;

/// <summary>
/// Every case of <see cref="BadInputCorpus"/> through the in-process gateway to the real upstream process: the
/// documented status and reason, never a 5xx; refusals forward nothing; forwarded requests carry only protected
/// images (decoded and compared with the originals) and every other byte as it was sent.
/// </summary>
public sealed class BadInputCorpusTests(GatewayFixture gateway, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    /// <summary>JPEG output is lossy: quality-95 quantisation adds its own error on top of epsilon (docs/protection.md).</summary>
    private const int JpegSlack = 24;

    [Fact]
    public void Corpus_has_at_least_forty_cases_with_documented_outcomes()
    {
        Assert.True(BadInputCorpus.All.Count >= 40, $"{BadInputCorpus.All.Count} cases");
        Assert.All(BadInputCorpus.All.Values, c =>
        {
            Assert.True(c.Status is 201 or (>= 400 and < 500), c.Name);
            Assert.Matches("^[a-z_-]+$", c.Reason);
        });
        // The outcome table of docs/reliability.md, section 1.
        foreach (var outcome in BadInputCorpus.All.Values.GroupBy(c => $"{c.Status} {c.Reason}").OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"{outcome.Key}\t{outcome.Count()}");
    }

    [Theory]
    [MemberData(nameof(BadInputCorpus.Names), MemberType = typeof(BadInputCorpus))]
    public async Task Fail_closed_route_gives_the_documented_outcome(string name)
    {
        var input = BadInputCorpus.All[name];
        var path = $"/site/{Guid.NewGuid():N}/upload";

        var response = await SendAsync(input, path);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{name}: {(int)response.StatusCode} {text}");
        var received = gateway.Upstream.Received(path);
        if (!input.Forwarded)
        {
            await UploadProtectionTests.Problem(response, (HttpStatusCode)input.Status, input.Reason);
            Assert.Empty(received);
            return;
        }

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{name}: {(int)response.StatusCode} {text}");
        Assert.Equal(input.Reason, response.Headers.GetValues(ProtectionHeaders.Status).Single());
        AssertOnlyProtectedImagesChanged(input, Assert.Single(received));
    }

    [Theory]
    [MemberData(nameof(BadInputCorpus.ImageRefusalNames), MemberType = typeof(BadInputCorpus))]
    public async Task Fail_open_route_forwards_the_image_as_it_came_and_says_so(string name)
    {
        var input = BadInputCorpus.All[name];
        var path = $"/open/{Guid.NewGuid():N}/upload";

        var response = await SendAsync(input, path);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("unperturbed", response.Headers.GetValues(ProtectionHeaders.Status).Single());
        Assert.Contains(input.Reason, Uri.UnescapeDataString(response.Headers.GetValues(ProtectionHeaders.Unperturbed).Single()));
        // Forwarded as it came: the same parts, byte for byte, framed by the gateway.
        var received = Assert.Single(gateway.Upstream.Received(path)).Form();
        var sent = Multipart.ParseTyped(input.Body, input.ContentType);
        Assert.Equal(sent.Parts.Select(p => sent.Content(p).ToArray()), received.Parts.Select(p => received.Content(p).ToArray()));
    }

    [Fact]
    public async Task Gateway_is_healthy_after_the_whole_corpus()
    {
        foreach (var input in BadInputCorpus.All.Values.Where(c => !c.Forwarded))
            Assert.True((int)(await SendAsync(input, $"/site/{Guid.NewGuid():N}/again")).StatusCode < 500, input.Name);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/readyz")).StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(BadInputCase input, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(input.Method), path) { Content = new ByteArrayContent(input.Body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType);
        foreach (var (key, value) in input.Headers)
            request.Content.Headers.TryAddWithoutValidation(key, value);
        return gateway.Client.SendAsync(request);
    }

    /// <summary>
    /// The forwarded body must hold the sent parts with only their image contents replaced, each replacement the same
    /// picture within epsilon, not the original bytes, and without any passenger the original carried; every other part
    /// and every header line as it was sent (but a part's own Content-Length, which the gateway's framing replaces).
    /// </summary>
    private static void AssertOnlyProtectedImagesChanged(BadInputCase input, RecordingUpstream.Request forwarded)
    {
        if (!StrictMediaType.TryParse(input.ContentType, out var media) || !media!.IsMultipart)
        {
            AssertProtected(input.Name, input.Body, forwarded.Body);
            return;
        }

        var sent = Multipart.ParseTyped(input.Body, input.ContentType);
        var received = forwarded.Form();
        Assert.Equal(sent.Parts.Count, received.Parts.Count);
        for (int i = 0; i < sent.Parts.Count; i++)
        {
            var before = sent.Content(sent.Parts[i]).ToArray();
            var after = received.Content(received.Parts[i]).ToArray();
            if (ImageFormatSniffer.DetectSupported(before) is not null)
                AssertProtected($"{input.Name} part {i}", before, after);
            else
                Assert.Equal(before, after);
            Assert.Equal(sent.Parts[i].RawHeaders.Where(h => h.Key != "Content-Length").Select(h => h.Value), received.Parts[i].RawHeaders.Select(h => h.Value));
        }
    }

    private static void AssertProtected(string name, byte[] original, byte[] forwarded)
    {
        Assert.NotEqual(original, forwarded);
        var format = ImageFormatSniffer.DetectSupported(forwarded);
        Assert.True(format is not null, $"{name}: the forwarded bytes are not an image");
        int bound = GatewayFixture.DefaultEpsilon + (format == ImageFormatKind.Jpeg ? JpegSlack : 0);
        int measured = PixelDifference.MaxAbs(original, forwarded);
        Assert.True(measured is >= 1 && measured <= bound, $"{name}: L-inf {measured}, expected 1..{bound}");
        foreach (var passenger in new[] { "PK\u0003\u0004", "<html", "<script" })
            Assert.True(forwarded.AsSpan().IndexOf(Encoding.ASCII.GetBytes(passenger)) < 0, $"{name}: '{passenger}' went upstream");
    }
}
