using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Imaging;

using UploadGuard.Tests.Common;

namespace UploadGuard.Gateway.Tests.Api;

public sealed class ProtectApiTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Requires_a_client_token()
    {
        var response = await gateway.Client.PostAsync("/api/protect", TestPhotos.File(TestPhotos.Png(), "image/png"));
        await UploadProtectionTests.Problem(response, HttpStatusCode.Unauthorized, "unauthenticated");

        using var wrong = Request(TestPhotos.File(TestPhotos.Png(), "image/png"), "not-a-real-token");
        await UploadProtectionTests.Problem(await gateway.Client.SendAsync(wrong), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    /// <summary>Every one-image refusal of the bad-input corpus: /api/protect answers what the proxy answers, never a 500.</summary>
    public static TheoryData<string> ImageRefusals()
    {
        var data = new TheoryData<string>();
        foreach (var c in BadInputCorpus.All.Values.Where(c => c.Group == "image" && !c.Forwarded)) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ImageRefusals))]
    public async Task A_file_gets_the_same_refusal_as_through_the_proxy(string name)
    {
        var input = BadInputCorpus.All[name];
        var content = new ByteArrayContent(input.Body);
        content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType);
        using var request = Request(content, GatewayFixture.AliceToken);

        await UploadProtectionTests.Problem(await gateway.Client.SendAsync(request), (HttpStatusCode)input.Status, input.Reason);
    }

    [Fact]
    public async Task Raw_image_in_protected_image_out_with_report_headers()
    {
        var png = TestPhotos.Png(60, 45, seed: 11);
        using var request = Request(TestPhotos.File(png, "image/png"), GatewayFixture.AliceToken);

        var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var output = await response.Content.ReadAsByteArrayAsync();
        int epsilon = GatewayFixture.DefaultEpsilon;
        Assert.InRange(PixelDifference.MaxAbs(png, output), 1, epsilon);
        Assert.Equal(epsilon.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("X-UploadGuard-Epsilon").Single());
        Assert.InRange(int.Parse(response.Headers.GetValues("X-UploadGuard-Linf-Decoded").Single(), CultureInfo.InvariantCulture), 1, epsilon);
        Assert.InRange(int.Parse(response.Headers.GetValues("X-UploadGuard-Linf-Before-Encoding").Single(), CultureInfo.InvariantCulture), 1, epsilon);
        Assert.Equal("imagesharp", response.Headers.GetValues("X-UploadGuard-Linf-Decoder").Single());
        Assert.False(response.Headers.Contains("X-UploadGuard-Linf-Decoded-Libjpeg"));   // lossless: nothing for libjpeg to add
        Assert.Equal("perturbed", response.Headers.GetValues("X-UploadGuard-Status").Single());
        Assert.Equal("measured", response.Headers.GetValues("X-UploadGuard-Claim").Single());
        Assert.False(response.Headers.Contains("X-UploadGuard-Warning"));
        // The client user is the owner (Protection:OwnerKeys:Api): only the key id is named.
        Assert.StartsWith("k-", response.Headers.GetValues("X-UploadGuard-Owner-Key-Id").Single());
        Assert.Matches("^[0-9a-f]{32}$", response.Headers.GetValues("X-UploadGuard-Job").Single());
    }

    [SkippableFact]
    public async Task Jpeg_out_names_what_libjpeg_measures_and_djpeg_agrees()
    {
        Skip.IfNot(LibJpeg.IsAvailable, "libturbojpeg (libturbojpeg0) is not installed: the gateway measures with its own decoder only.");
        Skip.If(LibjpegDecoder.Find() is null, LibjpegDecoder.MissingMessage);
        byte[] png;
        using (var image = TestPhotos.Decode(TestPhotos.SmoothPng(96, 64, seed: 13)))
        using (var stream = new MemoryStream())
        {
            image.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.Rgb });   // JPEG has no alpha
            png = stream.ToArray();
        }
        using var request = Request(TestPhotos.File(png, "image/png"), GatewayFixture.AliceToken, "/api/protect?format=jpeg");

        var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = await response.Content.ReadAsByteArrayAsync();
        int header = int.Parse(response.Headers.GetValues("X-UploadGuard-Linf-Decoded-Libjpeg").Single(), CultureInfo.InvariantCulture);
        int djpeg = LibjpegDecoder.MaxAbs(LibjpegDecoder.FromImage(TestPhotos.Decode(png)), await LibjpegDecoder.DecodeAsync(output));
        Assert.Equal(djpeg, header);
        Assert.InRange(header, 1, GatewayFixture.DefaultEpsilon + 2);
    }

    [Fact]
    public async Task Multipart_in_json_report_out_with_the_chosen_epsilon_and_format()
    {
        var jpeg = TestPhotos.Jpeg(40, 40, seed: 12);
        using var form = new MultipartFormDataContent { { new StringContent("x"), "note" }, { TestPhotos.File(jpeg, "image/jpeg"), "file", "cat.jpg" } };
        using var request = Request(form, GatewayFixture.BobToken, "/api/protect?epsilon=4&format=png");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cat.jpg", json.GetProperty("fileName").GetString());
        Assert.Equal("image/png", json.GetProperty("contentType").GetString());
        var report = json.GetProperty("report");
        Assert.Equal(4, report.GetProperty("epsilon").GetInt32());
        Assert.True(report.GetProperty("modelTrained").GetBoolean());
        // Below the epsilon the card's claim was measured at: perturbed, and said to claim nothing there.
        Assert.Equal("belowMeasuredEpsilon", report.GetProperty("claim").GetString());
        var output = Convert.FromBase64String(json.GetProperty("data").GetString()!);
        Assert.Equal(0x89, output[0]);
        Assert.InRange(PixelDifference.MaxAbs(jpeg, output), 1, 4);
    }

    [Theory]
    [InlineData("/api/protect?epsilon=0", "image/png", 400, "invalid_epsilon")]
    [InlineData("/api/protect?format=gif", "image/png", 400, "invalid_format")]
    [InlineData("/api/protect", "text/plain", 415, "not_an_image")]
    public async Task Bad_requests_are_problem_json(string url, string contentType, int status, string reason)
    {
        var data = contentType == "text/plain" ? "just text"u8.ToArray() : TestPhotos.Png();
        using var request = Request(TestPhotos.File(data, contentType), GatewayFixture.AliceToken, url);
        await UploadProtectionTests.Problem(await gateway.Client.SendAsync(request), (HttpStatusCode)status, reason);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_endpoint()
    {
        var json = await gateway.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(json.GetProperty("paths").TryGetProperty("/api/protect", out var path));
        Assert.True(path.TryGetProperty("post", out _));
    }

    private static HttpRequestMessage Request(HttpContent content, string token, string url = "/api/protect")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
