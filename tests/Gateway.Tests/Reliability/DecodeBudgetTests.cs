using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Reliability;

/// <summary>
/// Admission by decoded size: the gateway-wide budget of decoded pixels, first fit (a small image passes a large one
/// that does not fit), a brief wait then 503 <c>decode_budget_busy</c> with Retry-After, and the per-request caps on
/// images and pixels. The engine is the real one behind a gate that holds its calls while the budget is full.
/// </summary>
public sealed class DecodeBudgetTests : IAsyncLifetime
{
    private FaultyEngineGateway _gateway = null!;
    private DecodeBudget _budget = null!;

    public async Task InitializeAsync()
    {
        _gateway = await FaultyEngineGateway.StartAsync(
            ("EngineResilience:MaxDecodedPixelsInFlight", "30000"),
            ("EngineResilience:MaxDecodedPixelsPerRequest", "25000"),
            ("EngineResilience:MaxImagesPerRequest", "3"),
            ("EngineResilience:DecodeBudgetWait", "00:00:02"),
            ("EngineResilience:Timeout", "00:02:00"));
        _budget = _gateway.Factory.Services.GetRequiredService<DecodeBudget>();
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task The_budget_admits_what_fits_refuses_what_does_not_in_time_and_never_opens_the_breaker()
    {
        using var client = _gateway.CreateClient(TimeSpan.FromMinutes(2));
        _gateway.Engine.Mode = FaultyEngine.Fault.Held;

        // 15,000 pixels held in the engine; then 20,000 do not fit the 30,000 left...
        var first = Put(client, "first", 150, 100);
        await Eventually.UntilAsync(() => _gateway.Engine.Calls == 1 && _budget.InFlight == 15_000, "the first image to hold its pixels");
        var tooLarge = Put(client, "large", 200, 100);
        // ...but 10,000 do, and pass the waiting one (first fit).
        var small = Put(client, "small", 100, 100);
        await Eventually.UntilAsync(() => _gateway.Engine.Calls == 2 && _budget.InFlight == 25_000, "the small image to pass the large one");

        var watch = Stopwatch.StartNew();
        var refused = await tooLarge;
        await UploadProtectionTests.Problem(refused, HttpStatusCode.ServiceUnavailable, "decode_budget_busy");
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the refusal took {watch.Elapsed}");
        Assert.Empty(_gateway.Upstream.Received("/site/large"));

        _gateway.Engine.Release();
        Assert.Equal(HttpStatusCode.Created, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await small).StatusCode);
        Assert.Equal(2, _gateway.Engine.Calls);
        await Eventually.UntilAsync(() => _budget.InFlight == 0, "every pixel to be given back");

        // Waiting for the budget is backpressure, not an engine failure: the breaker stays closed and the next upload works.
        _gateway.Engine.Mode = FaultyEngine.Fault.None;
        Assert.Equal(HttpStatusCode.Created, (await Put(client, "after", 200, 100)).StatusCode);
    }

    [Fact]
    public async Task Per_request_caps_refuse_a_form_before_any_engine_time()
    {
        using var client = _gateway.Factory.CreateClient();

        await UploadProtectionTests.Problem(await client.PostAsync("/site/four", Form(4, 40, 30)), HttpStatusCode.RequestEntityTooLarge, "too_many_images");
        await UploadProtectionTests.Problem(await client.PostAsync("/site/wide", Form(2, 150, 100)), HttpStatusCode.RequestEntityTooLarge, "request_too_many_pixels");
        Assert.Equal(0, _gateway.Engine.Calls);
        Assert.Empty(_gateway.Upstream.Received("/site/four"));
        Assert.Empty(_gateway.Upstream.Received("/site/wide"));
    }

    private static Task<HttpResponseMessage> Put(HttpClient client, string name, int width, int height) =>
        client.PutAsync($"/site/{name}", TestPhotos.File(TestPhotos.Png(width, height, seed: width + height), "image/png"));

    private static ByteArrayContent Form(int images, int width, int height)
    {
        var parts = Enumerable.Range(0, images)
            .Select(i => BadInputCorpus.FilePart($"photo{i}", $"photo{i}.png", "image/png", TestPhotos.Png(width, height, seed: i)))
            .ToArray();
        var content = new ByteArrayContent(BadInputCorpus.MultipartBytes(parts));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={BadInputCorpus.Boundary}");
        return content;
    }
}
