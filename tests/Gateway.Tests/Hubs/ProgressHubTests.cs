using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Hubs;

public sealed class ProgressHubTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Owner_receives_every_stage_of_its_upload_and_nobody_else_does()
    {
        var aliceEvents = new ConcurrentQueue<JobEvent>();
        var bobEvents = new ConcurrentQueue<JobEvent>();
        await using var alice = await ConnectAsync(GatewayFixture.AliceToken, aliceEvents);
        await using var bob = await ConnectAsync(GatewayFixture.BobToken, bobEvents);
        var job = "alice-" + Guid.NewGuid().ToString("N");

        Assert.Empty(await alice.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", job));
        await Assert.ThrowsAsync<HubException>(() => bob.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", job));
        await bob.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", "bob-" + Guid.NewGuid().ToString("N"));

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/site/{Guid.NewGuid():N}/photo.png")
        {
            Content = TestPhotos.File(TestPhotos.Png(seed: 21), "image/png"),
        };
        request.Headers.Add("X-UploadGuard-Token", GatewayFixture.AliceToken);
        request.Headers.Add("X-UploadGuard-Job", job);
        var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(job, response.Headers.GetValues("X-UploadGuard-Job").Single());

        var expected = new[] { JobStage.Received, JobStage.Queued, JobStage.Protecting, JobStage.Encoded, JobStage.Forwarded, JobStage.Done };
        await Eventually.UntilAsync(() => aliceEvents.Any(e => e.Stage == JobStage.Done), "the upload's SignalR events");
        Assert.Equal(expected, aliceEvents.Select(e => e.Stage));
        Assert.All(aliceEvents, e => Assert.Equal(job, e.JobId));
        await Task.Delay(300);
        Assert.Empty(bobEvents);
    }

    [Fact]
    public async Task Failed_upload_reports_failed_with_its_reason_and_history_is_replayed()
    {
        var events = new ConcurrentQueue<JobEvent>();
        await using var alice = await ConnectAsync(GatewayFixture.AliceToken, events);
        var job = "alice-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/site/{Guid.NewGuid():N}/x.png") { Content = TestPhotos.File("nope"u8.ToArray(), "image/png") };
        request.Headers.Add("X-UploadGuard-Token", GatewayFixture.AliceToken);
        request.Headers.Add("X-UploadGuard-Job", job);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await gateway.Client.SendAsync(request)).StatusCode);

        // Subscribing after the fact replays what happened.
        var history = await alice.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", job);
        Assert.Equal([JobStage.Received, JobStage.Failed], history.Select(e => e.Stage));
        Assert.Equal("undecodable", history[^1].Reason);
    }

    [Fact]
    public async Task Stages_travel_as_camelCase_names_for_javascript_clients()
    {
        await using var alice = await ConnectAsync(GatewayFixture.AliceToken, new ConcurrentQueue<JobEvent>());
        var job = "alice-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/site/{Guid.NewGuid():N}/x.png") { Content = TestPhotos.File("nope"u8.ToArray(), "image/png") };
        request.Headers.Add("X-UploadGuard-Token", GatewayFixture.AliceToken);
        request.Headers.Add("X-UploadGuard-Job", job);
        await gateway.Client.SendAsync(request);

        // The raw payload, as the browser extension reads it: names, not enum numbers.
        var history = await alice.InvokeAsync<JsonElement>("Subscribe", job);
        Assert.Equal(["received", "failed"], history.EnumerateArray().Select(e => e.GetProperty("stage").GetString()));
        Assert.Equal(job, history[0].GetProperty("jobId").GetString());
    }

    [Fact]
    public async Task Connections_without_a_valid_token_are_refused()
    {
        await using var anonymous = Build(null);
        await Assert.ThrowsAnyAsync<Exception>(() => anonymous.StartAsync());
        await using var forged = Build("forged-token");
        await Assert.ThrowsAnyAsync<Exception>(() => forged.StartAsync());
    }

    private async Task<HubConnection> ConnectAsync(string token, ConcurrentQueue<JobEvent> sink)
    {
        var connection = Build(token);
        connection.On<JobEvent>("stage", sink.Enqueue);
        await connection.StartAsync();
        return connection;
    }

    private HubConnection Build(string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(gateway.Factory.Server.BaseAddress, "/hubs/progress"), options =>
        {
            options.HttpMessageHandlerFactory = _ => gateway.Factory.Server.CreateHandler();
            options.Transports = HttpTransportType.LongPolling;
            if (token is not null) options.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .Build();
}
