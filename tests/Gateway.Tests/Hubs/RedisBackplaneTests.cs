using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Tests.Admin;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Hubs;

/// <summary>Scale-out: two gateway processes sharing a real redis-server (backplane, training lease) and one registry.</summary>
public sealed class RedisBackplaneTests
{
    [SkippableFact]
    public async Task Client_on_instance_B_receives_the_progress_of_an_upload_handled_by_instance_A()
    {
        Skip.If(RedisServer.Executable is null, "redis-server is not installed (scripts/setup.sh installs it): backplane test skipped.");
        await using var cluster = await TwoInstances.StartAsync();
        var (a, b) = (cluster.A, cluster.B);

        var aliceEvents = new ConcurrentQueue<JobEvent>();
        var bobEvents = new ConcurrentQueue<JobEvent>();
        await using var alice = await ConnectAsync(b.Address, GatewayFixture.AliceToken, aliceEvents);
        await using var bob = await ConnectAsync(b.Address, GatewayFixture.BobToken, bobEvents);
        var job = "scale-" + Guid.NewGuid().ToString("N");
        await alice.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", job);
        await bob.InvokeAsync<IReadOnlyList<JobEvent>>("Subscribe", "bob-" + Guid.NewGuid().ToString("N"));

        var photo = Path.Combine(cluster.Work, "photo.png");
        await File.WriteAllBytesAsync(photo, TestPhotos.Png(seed: 41));
        var result = await Curl.RunAsync("-H", $"X-UploadGuard-Token: {GatewayFixture.AliceToken}", "-H", $"X-UploadGuard-Job: {job}",
            "-F", $"photo=@{photo}", new Uri(a.Address, $"/site/{Guid.NewGuid():N}/upload").ToString());
        Assert.True(result.ExitCode == 0, result.Output);

        await Eventually.HoldsAsync(() => aliceEvents.Any(e => e.Stage == JobStage.Done));
        Assert.Equal(
            [JobStage.Received, JobStage.Queued, JobStage.Protecting, JobStage.Encoded, JobStage.Forwarded, JobStage.Done],
            aliceEvents.Select(e => e.Stage));
        Assert.Empty(bobEvents);
    }

    [SkippableFact]
    public async Task A_model_activated_through_A_is_served_by_B_and_only_one_instance_trains()
    {
        Skip.If(RedisServer.Executable is null, "redis-server is not installed (scripts/setup.sh installs it): scale-out test skipped.");
        await using var cluster = await TwoInstances.StartAsync();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);

        var activated = await http.PostAsync(new Uri(cluster.A.Address, $"/admin/models/{AdminFixture.SecondVersion}/activate"), null);
        Assert.Equal(System.Net.HttpStatusCode.OK, activated.StatusCode);
        string? served = null;
        for (int i = 0; i < 600 && served != AdminFixture.SecondVersion; i++)
        {
            await Task.Delay(100);
            served = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(cluster.B.Address, "/"))).RootElement
                .GetProperty("model").GetProperty("version").GetString();
        }
        Assert.Equal(AdminFixture.SecondVersion, served);
        using var protect = new HttpRequestMessage(HttpMethod.Post, new Uri(cluster.B.Address, "/api/protect")) { Content = TestPhotos.File(TestPhotos.Png(), "image/png") };
        protect.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFixture.AliceToken);
        Assert.Equal(AdminFixture.SecondVersion, (await http.SendAsync(protect)).Headers.GetValues("X-UploadGuard-Model").Single());

        var onA = await http.PostAsync(new Uri(cluster.A.Address, "/admin/retrain"), RetrainForm());
        Assert.Equal(System.Net.HttpStatusCode.Accepted, onA.StatusCode);
        var onB = await http.PostAsync(new Uri(cluster.B.Address, "/admin/retrain"), RetrainForm());
        Assert.Equal(System.Net.HttpStatusCode.Conflict, onB.StatusCode);
        Assert.Contains("training_busy", await onB.Content.ReadAsStringAsync());
        var id = System.Text.Json.JsonDocument.Parse(await onA.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await http.DeleteAsync(new Uri(cluster.A.Address, $"/admin/retrain/{id}"))).StatusCode);
    }

    private static MultipartFormDataContent RetrainForm() => new()
    {
        { new StringContent("100000"), "steps" },
        { new StringContent("2"), "batchSize" },
        { new StringContent("32"), "imageSize" },
        { new StringContent("16"), "proxySize" },
        { TestPhotos.File(TestArchives.TarGz(photos: 8, textFiles: 0), "application/gzip"), "dataset", "photos.tar.gz" },
    };

    /// <summary>A real redis-server, a real upstream and two gateway processes sharing Redis and one model registry.</summary>
    private sealed class TwoInstances : IAsyncDisposable
    {
        private RedisServer _redis = null!;
        private readonly RecordingUpstream _upstream = new();

        public string Work { get; } = Directory.CreateTempSubdirectory("uploadguard-scale-").FullName;

        public ChildProcess A { get; private set; } = null!;

        public ChildProcess B { get; private set; } = null!;

        public static async Task<TwoInstances> StartAsync()
        {
            var cluster = new TwoInstances();
            cluster._redis = await RedisServer.StartAsync();
            await cluster._upstream.InitializeAsync();
            var registry = Path.Combine(cluster.Work, "registry");
            AdminFixture.CopyRegistryWithSecondVersion(registry);
            var environment = GatewayFixture.ProcessEnvironment(cluster._upstream.Address);
            environment["SignalR__Redis"] = cluster._redis.ConnectionString;
            environment["DemoUpstream__Enabled"] = "false";
            environment["Engine__ModelsPath"] = registry;
            environment["Engine__RegistryPollInterval"] = "00:00:01";
            environment["Admin__Tokens__0"] = AdminFixture.AdminToken;
            environment["Admin__RetrainWorker"] = AdminFixture.Worker;
            environment["Admin__WorkPath"] = Path.Combine(cluster.Work, "jobs-a");
            cluster.A = await ChildProcess.StartAsync("UploadGuard.Gateway.dll", environment);
            environment["Admin__WorkPath"] = Path.Combine(cluster.Work, "jobs-b");
            cluster.B = await ChildProcess.StartAsync("UploadGuard.Gateway.dll", environment);
            return cluster;
        }

        public async ValueTask DisposeAsync()
        {
            if (A is not null) await A.DisposeAsync();
            if (B is not null) await B.DisposeAsync();
            await _upstream.DisposeAsync();
            await _redis.DisposeAsync();
            Directory.Delete(Work, recursive: true);
        }
    }

    private static async Task<HubConnection> ConnectAsync(Uri gateway, string token, ConcurrentQueue<JobEvent> sink)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(gateway, "/hubs/progress"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        connection.On<JobEvent>("stage", sink.Enqueue);
        await connection.StartAsync();
        return connection;
    }
}
