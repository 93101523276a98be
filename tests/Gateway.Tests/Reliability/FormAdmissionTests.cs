using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Reliability;

/// <summary>
/// A multipart form's images are admitted to the engine together: under load, a form that does not fit is refused
/// whole (503 engine_busy, Retry-After) before any of its images reaches the engine, and one that fits is queued whole
/// and protected whole. The engine is the real one behind a gate that holds its calls while the test fills it.
/// </summary>
public sealed class FormAdmissionTests : IAsyncLifetime
{
    private const int Slots = 4;
    private const int Queue = 4;

    private FaultyEngineGateway _gateway = null!;
    private ResilientProtection _protection = null!;

    public async Task InitializeAsync()
    {
        _gateway = await FaultyEngineGateway.StartAsync(
            ("EngineResilience:MaxConcurrency", $"{Slots}"),
            ("EngineResilience:QueueLimit", $"{Queue}"),
            ("EngineResilience:Timeout", "00:02:00"));
        _protection = _gateway.Factory.Services.GetRequiredService<ResilientProtection>();
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_form_that_does_not_fit_the_queue_is_refused_before_any_engine_time_and_one_that_fits_is_protected_whole()
    {
        using var client = _gateway.CreateClient(TimeSpan.FromMinutes(2));
        _gateway.Engine.Mode = FaultyEngine.Fault.Held;

        // Fill the engine's slots with single images held inside it, then half the queue with two more.
        var singles = Enumerable.Range(0, Slots).Select(i => client.PutAsync($"/site/held-{i}/{Guid.NewGuid():N}.png", TestPhotos.File(TestPhotos.Png(seed: i), "image/png"))).ToList();
        await Eventually.UntilAsync(() => _gateway.Engine.Calls == Slots, "the held uploads to reach the engine");
        singles.AddRange(Enumerable.Range(0, 2).Select(i => client.PutAsync($"/site/queued-{i}/{Guid.NewGuid():N}.png", TestPhotos.File(TestPhotos.Png(seed: 10 + i), "image/png"))));
        await Eventually.UntilAsync(() => _protection.QueuedSlots == 2, "two uploads to queue");

        // Three images, room in the queue for two: refused at once, whole, with nothing sent to the engine or upstream.
        var watch = Stopwatch.StartNew();
        var three = await client.PostAsync("/site/three", Form(3, seed: 20)).WaitAsync(TimeSpan.FromSeconds(20));
        await UploadProtectionTests.Problem(three, HttpStatusCode.ServiceUnavailable, "engine_busy");
        Assert.NotNull(three.Headers.RetryAfter);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the refusal took {watch.Elapsed}");
        Assert.Equal(Slots, _gateway.Engine.Calls);
        Assert.Equal(2, _protection.QueuedSlots);

        // On a fail-open route the same form goes upstream as it was, every image marked unprotected, none in the engine.
        var openForm = Form(3, seed: 20);
        var open = await client.PostAsync("/open/three", openForm).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Created, open.StatusCode);
        Assert.Equal("unperturbed", string.Join(",", open.Headers.GetValues(ProtectionHeaders.Status)));
        Assert.Equal(3, Uri.UnescapeDataString(string.Join(",", open.Headers.GetValues(ProtectionHeaders.Unperturbed))).Split("; ").Count(u => u.EndsWith("engine_busy", StringComparison.Ordinal)));
        var sent = Multipart.Parse(await openForm.ReadAsByteArrayAsync(), BadInputCorpus.Boundary);
        var forwarded = Assert.Single(_gateway.Upstream.Received("/open/three")).Form();
        Assert.Equal(sent.Parts.Select(p => sent.Content(p).ToArray()), forwarded.Parts.Select(p => forwarded.Content(p).ToArray()));
        Assert.Equal(Slots, _gateway.Engine.Calls);

        // Two images fit the rest of the queue: admitted whole, they wait together, then are protected together.
        var two = client.PostAsync("/site/two", Form(2, seed: 30));
        await Eventually.UntilAsync(() => _protection.QueuedSlots == 4, "the two-image form to queue");
        Assert.False(two.IsCompleted);
        _gateway.Engine.Release();

        Assert.All(await Task.WhenAll(singles), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var twoResponse = await two;
        Assert.Equal(HttpStatusCode.Created, twoResponse.StatusCode);
        Assert.Equal("2", string.Join(",", twoResponse.Headers.GetValues(ProtectionHeaders.Count)));
        Assert.Equal(Slots + 2 + 2, _gateway.Engine.Calls);
        Assert.Single(_gateway.Upstream.Received("/site/two"));
        Assert.Empty(_gateway.Upstream.Received("/site/three"));
    }

    [Fact]
    public async Task A_form_with_more_images_than_engine_slots_is_admitted_with_all_slots_and_protected_whole()
    {
        using var client = _gateway.Factory.CreateClient();
        var response = await client.PostAsync("/site/six", Form(Slots + 2, seed: 40));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"{Slots + 2}", string.Join(",", response.Headers.GetValues(ProtectionHeaders.Count)));
        Assert.Equal(Slots + 2, _gateway.Engine.Calls);
        Assert.Single(_gateway.Upstream.Received("/site/six"));
        Assert.Equal(0, _protection.QueuedSlots);
    }

    [Fact]
    public async Task A_fail_closed_form_refused_for_one_image_by_the_route_caps_spends_no_engine_time_on_the_others()
    {
        using var client = _gateway.Factory.CreateClient();
        // The capped route takes PNG only: the JPEG refuses the form, so the PNG beside it is not protected for nothing.
        var content = new ByteArrayContent(BadInputCorpus.MultipartBytes(
            BadInputCorpus.FilePart("ok", "ok.png", "image/png", TestPhotos.Png()),
            BadInputCorpus.FilePart("photo", "photo.jpg", "image/jpeg", TestPhotos.Jpeg())));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={BadInputCorpus.Boundary}");

        var response = await client.PostAsync("/capped/mixed", content);

        var problem = await UploadProtectionTests.Problem(response, HttpStatusCode.UnsupportedMediaType, "unsupported_format");
        Assert.Equal("photo", problem.GetProperty("part").GetString());
        Assert.Equal(0, _gateway.Engine.Calls);
        Assert.Empty(_gateway.Upstream.Received("/capped/mixed"));
    }

    private static ByteArrayContent Form(int images, int seed)
    {
        var parts = Enumerable.Range(0, images)
            .Select(i => BadInputCorpus.FilePart($"photo{i}", $"photo{i}.png", "image/png", TestPhotos.Png(64, 48, seed + i)))
            .Prepend(BadInputCorpus.TextPart("caption", "a form of several photos"))
            .ToArray();
        var content = new ByteArrayContent(BadInputCorpus.MultipartBytes(parts));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={BadInputCorpus.Boundary}");
        return content;
    }
}
