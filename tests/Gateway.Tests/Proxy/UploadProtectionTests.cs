using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Tests.Support;

using UploadGuard.Tests.Common;

namespace UploadGuard.Gateway.Tests.Proxy;

public sealed class UploadProtectionTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private const string Boundary = "----UploadGuardTestBoundary7MA4YWxkTrZu0gW";

    [Fact]
    public async Task Upstream_receives_protected_images_and_every_other_part_byte_for_byte()
    {
        var png = TestPhotos.Png(64, 40, seed: 1);
        var jpeg = TestPhotos.Jpeg(50, 30, seed: 2);
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n\x00\x01binary\r\n--not-a-boundary\r\n");
        using var form = new MultipartFormDataContent(Boundary)
        {
            { new StringContent("Grüße aus 東京 🌸, \"quoted\"\r\nsecond line", Encoding.UTF8), "caption" },
            { TestPhotos.File(png, "image/png"), "photo", "holiday.png" },
            { TestPhotos.File(pdf, "application/pdf"), "document", "notes.pdf" },
            { TestPhotos.File(jpeg, "application/octet-stream"), "second", "no-extension" },
        };
        var sent = await form.ReadAsByteArrayAsync();
        var path = $"/site/{Guid.NewGuid():N}/upload";

        var response = await gateway.Client.PostAsync(path, form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("perturbed", Header(response, ProtectionHeaders.Status));
        Assert.Equal("2", Header(response, ProtectionHeaders.Count));
        // No epsilon on the route: the shipped owner-keyed model's, at which its card's claim was measured.
        Assert.Equal("measured", Header(response, ProtectionHeaders.Claim));
        Assert.Equal(GatewayFixture.DefaultEpsilon.ToString(CultureInfo.InvariantCulture), Header(response, ProtectionHeaders.Epsilon));
        Assert.Null(Header(response, ProtectionHeaders.Warning));
        Assert.StartsWith("k-", Header(response, ProtectionHeaders.OwnerKeyId));

        var received = Assert.Single(gateway.Upstream.Received(path));
        // The gateway frames what it forwards itself: its own boundary, the parts it parsed, nothing of the client's framing.
        Assert.StartsWith("multipart/form-data; boundary=uploadguard-", received.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(received.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), received.Headers["Content-Length"]);
        var before = Multipart.Parse(sent, Boundary);
        var after = received.Form();
        Assert.Equal(before.Parts.Count, after.Parts.Count);
        for (int index = 0; index < before.Parts.Count; index++)
            Assert.Equal(before.Parts[index].RawHeaders, after.Parts[index].RawHeaders);
        foreach (var index in new[] { 0, 2 })   // the caption (non-ASCII text) and the PDF
            Assert.Equal(Content(sent, before.Parts[index]), Content(received.Body, after.Parts[index]));

        var protectedPng = Content(received.Body, after.Parts[1]);
        Assert.NotEqual(png, protectedPng);
        Assert.InRange(PixelDifference.MaxAbs(png, protectedPng), 1, GatewayFixture.DefaultEpsilon);
        var protectedJpeg = Content(received.Body, after.Parts[3]);
        Assert.Equal(0xFF, protectedJpeg[0]);
        Assert.InRange(PixelDifference.MaxAbs(jpeg, protectedJpeg), 1, GatewayFixture.DefaultEpsilon + 24);
    }

    [Fact]
    public async Task A_part_Content_Length_is_checked_and_left_to_the_framing()
    {
        var png = TestPhotos.Png(64, 40, seed: 5);
        var captionHeaders = Encoding.ASCII.GetBytes("Content-Disposition: form-data; name=\"caption\"\r\nContent-Length: 5");
        var photoHeaders = Encoding.ASCII.GetBytes($"Content-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\ncontent-length: {png.Length}\r\nContent-Type: image/png");
        var path = $"/site/{Guid.NewGuid():N}/upload";

        var response = await gateway.Client.PostAsync(path, FormContent(BadInputCorpus.MultipartBytes(
            BadInputCorpus.Part(captionHeaders, "hello"u8.ToArray()), BadInputCorpus.Part(photoHeaders, png))));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var received = Assert.Single(gateway.Upstream.Received(path));
        var parts = received.Form().Parts;
        // A protected image has another length: a Content-Length kept from the client would promise the old one.
        Assert.All(parts, p => Assert.False(p.Headers.ContainsKey("Content-Length")));
        Assert.Equal(["Content-Disposition: form-data; name=\"photo\"; filename=\"a.png\"", "Content-Type: image/png"],
            parts[1].RawHeaders.Select(h => Encoding.ASCII.GetString(h.Value)));
        Assert.Equal("hello"u8.ToArray(), Content(received.Body, parts[0]));
        Assert.InRange(PixelDifference.MaxAbs(png, Content(received.Body, parts[1])), 1, GatewayFixture.DefaultEpsilon);

        // A Content-Length that is not the part's length frames the part differently for a parser that honours it.
        var lying = await gateway.Client.PostAsync(path + "-lying", FormContent(BadInputCorpus.MultipartBytes(
            BadInputCorpus.Part(Encoding.ASCII.GetBytes("Content-Disposition: form-data; name=\"caption\"\r\nContent-Length: 2"), "hello"u8.ToArray()),
            BadInputCorpus.Part(photoHeaders, png))));
        await Problem(lying, HttpStatusCode.BadRequest, "malformed_multipart");
        Assert.Empty(gateway.Upstream.Received(path + "-lying"));
    }

    private static ByteArrayContent FormContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={BadInputCorpus.Boundary}");
        return content;
    }

    [Fact]
    public async Task Raw_image_body_is_protected()
    {
        var png = TestPhotos.Png(40, 40, seed: 3);
        var path = $"/site/{Guid.NewGuid():N}/raw.png";
        var response = await gateway.Client.PutAsync(path, TestPhotos.File(png, "image/png"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var received = Assert.Single(gateway.Upstream.Received(path));
        Assert.Equal("PUT", received.Method);
        Assert.InRange(PixelDifference.MaxAbs(png, received.Body), 1, GatewayFixture.DefaultEpsilon);
    }

    [Fact]
    public async Task Fail_closed_refuses_the_whole_request_and_forwards_nothing()
    {
        using var form = new MultipartFormDataContent(Boundary)
        {
            { TestPhotos.File(TestPhotos.Png(), "image/png"), "good", "good.png" },
            { TestPhotos.File([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3], "image/jpeg"), "broken", "broken.jpg" },
        };
        var path = $"/site/{Guid.NewGuid():N}/upload";

        var response = await gateway.Client.PostAsync(path, form);

        var problem = await Problem(response, HttpStatusCode.UnprocessableEntity, "truncated");
        Assert.Equal("broken", problem.GetProperty("part").GetString());
        Assert.Empty(gateway.Upstream.Received(path));
    }

    [Fact]
    public async Task Fail_open_forwards_the_original_and_says_it_is_unprotected()
    {
        byte[] broken = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3];
        var png = TestPhotos.Png(seed: 4);
        using var form = new MultipartFormDataContent(Boundary)
        {
            { TestPhotos.File(png, "image/png"), "good", "good.png" },
            { TestPhotos.File(broken, "image/jpeg"), "broken", "broken.jpg" },
        };
        var path = $"/open/{Guid.NewGuid():N}/upload";

        var response = await gateway.Client.PostAsync(path, form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("unperturbed", Header(response, ProtectionHeaders.Status));
        Assert.Contains("broken", Uri.UnescapeDataString(Header(response, ProtectionHeaders.Unperturbed)!));
        var received = Assert.Single(gateway.Upstream.Received(path));
        var parts = received.Form().Parts;
        Assert.InRange(PixelDifference.MaxAbs(png, Content(received.Body, parts[0])), 1, GatewayFixture.DefaultEpsilon);
        Assert.Equal(broken, Content(received.Body, parts[1]));
    }

    public static TheoryData<string, string, byte[], HttpStatusCode, string> Refusals() => new()
    {
        { "over the route's byte cap", "image/png", TestPhotos.Png(200, 200), HttpStatusCode.RequestEntityTooLarge, "too_many_bytes" },
        { "gif", "image/gif", [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, 0x3B], HttpStatusCode.UnsupportedMediaType, "unsupported_format" },
        { "jpeg on a png-only route", "image/jpeg", TestPhotos.Jpeg(8, 8), HttpStatusCode.UnsupportedMediaType, "unsupported_format" },
        { "heic", "image/heic", [0, 0, 0, 24, .. "ftypheic"u8, 0, 0, 0, 0, .. "mif1heic"u8], HttpStatusCode.UnsupportedMediaType, "unsupported_format" },
        { "empty image part", "image/png", [], HttpStatusCode.UnprocessableEntity, "empty" },
        { "text claiming to be png", "image/png", "hello"u8.ToArray(), HttpStatusCode.UnprocessableEntity, "undecodable" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Caps_and_formats_give_problem_json_with_a_reason(string name, string contentType, byte[] data, HttpStatusCode status, string reason)
    {
        using var form = new MultipartFormDataContent(Boundary) { { TestPhotos.File(data, contentType), "file", "upload.bin" } };
        var path = $"/capped/{Guid.NewGuid():N}/upload";

        var response = await gateway.Client.PostAsync(path, form);

        var problem = await Problem(response, status, reason);
        Assert.Equal("file", problem.GetProperty("part").GetString());
        Assert.True(gateway.Upstream.Received(path).Count == 0, name);
    }

    [Fact]
    public async Task Routes_without_protection_and_non_upload_requests_pass_through_untouched()
    {
        var png = TestPhotos.Png(seed: 5);
        var plain = $"/plain/{Guid.NewGuid():N}/upload";
        Assert.Equal(HttpStatusCode.Created, (await gateway.Client.PutAsync(plain, TestPhotos.File(png, "image/png"))).StatusCode);
        Assert.Equal(png, Assert.Single(gateway.Upstream.Received(plain)).Body);

        var get = $"/site/{Guid.NewGuid():N}/page";
        var response = await gateway.Client.GetAsync(get);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains(ProtectionHeaders.Status));

        var json = $"/site/{Guid.NewGuid():N}/api";
        var body = "{\"name\":\"ünïcode\"}";
        await gateway.Client.PostAsync(json, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(Encoding.UTF8.GetBytes(body), Assert.Single(gateway.Upstream.Received(json)).Body);
    }

    [Fact]
    public async Task Non_image_bodies_stream_through_without_the_buffer_limit_but_multipart_is_capped()
    {
        var large = new byte[5000];
        new Random(9).NextBytes(large);
        large[0] = (byte)'{';   // no image signature, no image claim
        var stream = $"/small/{Guid.NewGuid():N}/blob";
        var streamed = await gateway.Client.PostAsync(stream, TestPhotos.File(large, "application/octet-stream"));
        Assert.Equal(HttpStatusCode.Created, streamed.StatusCode);
        Assert.Equal(large, Assert.Single(gateway.Upstream.Received(stream)).Body);

        using var form = new MultipartFormDataContent(Boundary) { { TestPhotos.File(large, "application/octet-stream"), "blob", "blob.bin" } };
        var capped = $"/small/{Guid.NewGuid():N}/form";
        await Problem(await gateway.Client.PostAsync(capped, form), HttpStatusCode.RequestEntityTooLarge, "request_too_large");
        Assert.Empty(gateway.Upstream.Received(capped));
    }

    [Fact]
    public async Task Malformed_multipart_is_a_400_and_nothing_is_forwarded()
    {
        var body = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue without a closing boundary");
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        var path = $"/site/{Guid.NewGuid():N}/upload";

        await Problem(await gateway.Client.PostAsync(path, content), HttpStatusCode.BadRequest, "malformed_multipart");
        Assert.Empty(gateway.Upstream.Received(path));
    }

    [Fact]
    public async Task Upstream_reset_becomes_a_502_problem_and_is_not_retried()
    {
        var path = $"/reset/{Guid.NewGuid():N}/upload";
        var response = await gateway.Client.PutAsync(path, TestPhotos.File(TestPhotos.Png(seed: 6), "image/png"));

        await Problem(response, HttpStatusCode.BadGateway, "upstream_unreachable");
        Assert.Single(gateway.Upstream.Received(path));
    }

    [Fact]
    public async Task Upstream_timeout_becomes_a_504_problem_and_is_not_retried()
    {
        var path = $"/slow/{Guid.NewGuid():N}/upload?ms=4000";
        var response = await gateway.Client.PutAsync(path, TestPhotos.File(TestPhotos.Png(seed: 8), "image/png"));

        await UploadProtectionTests.Problem(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
        Assert.Single(gateway.Upstream.Received(path.Split('?')[0]));
    }

    [Fact]
    public async Task Gateway_token_and_job_headers_are_not_sent_upstream()
    {
        var path = $"/site/{Guid.NewGuid():N}/upload";
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = TestPhotos.File(TestPhotos.Png(seed: 7), "image/png") };
        request.Headers.Add("X-UploadGuard-Token", GatewayFixture.AliceToken);
        request.Headers.Add("X-UploadGuard-Job", "alice-job-headers-1");
        request.Headers.Add("Cookie", "site=keep-me; uploadguard_token=" + GatewayFixture.AliceToken);

        var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var received = Assert.Single(gateway.Upstream.Received(path));
        Assert.False(received.Headers.ContainsKey("X-UploadGuard-Token"));
        Assert.False(received.Headers.ContainsKey("X-UploadGuard-Job"));
        Assert.Equal("site=keep-me", received.Headers["Cookie"]);
    }

    private static byte[] Content(byte[] body, MultipartPart part) => body[part.BodyStart..part.BodyEnd];

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task A_route_that_takes_its_owner_from_the_client_refuses_anonymous_uploads_and_keys_each_users_photos()
    {
        var png = TestPhotos.Png(40, 30, seed: 81);
        var refused = $"/owned/{Guid.NewGuid():N}/p.png";
        await Problem(await gateway.Client.PutAsync(refused, TestPhotos.File(png, "image/png")), HttpStatusCode.Unauthorized, "owner_required");
        Assert.Empty(gateway.Upstream.Received(refused));

        async Task<byte[]> UploadAsAsync(string token)
        {
            var path = $"/owned/{Guid.NewGuid():N}/p.png";
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = TestPhotos.File(png, "image/png") };
            request.Headers.Add("X-UploadGuard-Token", token);
            var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("perturbed", Header(response, ProtectionHeaders.Status));
            // The key id names the secret, never the owner.
            Assert.StartsWith("k-", Header(response, ProtectionHeaders.OwnerKeyId));
            return Assert.Single(gateway.Upstream.Received(path)).Body;
        }

        var alices = await UploadAsAsync(GatewayFixture.AliceToken);
        var bobs = await UploadAsAsync(GatewayFixture.BobToken);
        // Each user's key draws its own texture: the same photo comes out differently for each owner.
        Assert.NotEqual(0, PixelDifference.MaxAbs(alices, bobs));
        Assert.InRange(PixelDifference.MaxAbs(png, alices), 1, GatewayFixture.DefaultEpsilon);
    }

    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem.Clone();
    }
}
