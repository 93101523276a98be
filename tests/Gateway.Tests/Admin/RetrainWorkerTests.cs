using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>The gateway's side of the worker process: none configured, one that crashes, fails, or will not stop.</summary>
/// <remarks>Linux only, like the product: shell scripts stand in for workers that misbehave.</remarks>
[SupportedOSPlatform("linux")]
public sealed class RetrainWorkerTests(AdminFixture admin) : IClassFixture<AdminFixture>, IDisposable
{
    private readonly string _scripts = Directory.CreateTempSubdirectory("uploadguard-worker-scripts-").FullName;

    public void Dispose() => Directory.Delete(_scripts, recursive: true);

    [Theory]
    [InlineData("")]   // unset, and no cli/uploadguard.dll beside the gateway
    [InlineData("/nonexistent/uploadguard.dll")]
    public async Task Without_a_worker_retraining_answers_503_and_protection_carries_on(string worker)
    {
        await using var gateway = admin.Create(Work("none"), ("Admin:RetrainWorker", worker));
        using var client = gateway.CreateClient();

        var problem = await UploadProtectionTests.Problem(await StartAsync(client), HttpStatusCode.ServiceUnavailable, "retraining_unavailable");
        Assert.Contains("Admin:RetrainWorker", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Get, "/admin/models")).StatusCode);
        using var protect = new HttpRequestMessage(HttpMethod.Post, "/api/protect") { Content = TestPhotos.File(TestPhotos.Png(32, 24), "image/png") };
        protect.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.AliceToken);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(protect)).StatusCode);
    }

    [Fact]
    public async Task A_crashing_worker_fails_its_job_with_its_last_words_and_the_next_job_can_start()
    {
        var worker = Script("crash.sh", """
            echo '{"event":"started","settings":{"steps":5}}'
            echo 'worker exploded: out of memory' >&2
            exit 137
            """);
        await using var gateway = admin.Create(Work("crash"), ("Admin:RetrainWorker", worker));
        using var client = gateway.CreateClient();

        var job = await WaitForStateAsync(client, await StartedIdAsync(client), "failed", "succeeded", "cancelled");
        Assert.Equal("failed", job.GetProperty("state").GetString());
        var error = job.GetProperty("error").GetString()!;
        Assert.Contains("137", error);
        Assert.Contains("worker exploded: out of memory", error);
        Assert.Equal(5, job.GetProperty("totalSteps").GetInt64());

        // The gateway is unharmed and training is free again.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Get, "/admin/models")).StatusCode);
        Assert.Equal("failed", (await WaitForStateAsync(client, await StartedIdAsync(client), "failed", "succeeded", "cancelled")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_job_the_worker_refuses_fails_with_the_workers_message()
    {
        // The real worker, on a configured dataset that is not there.
        await using var gateway = admin.Create(Work("refused"), ("Admin:Datasets:gone", Path.Combine(_scripts, "no-such-photos")));
        using var client = gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/retrain") { Content = JsonContent.Create(new { dataset = "gone", steps = 2 }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
        var started = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var job = await WaitForStateAsync(client, id, "failed", "succeeded", "cancelled");
        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains("does not exist", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_worker_that_ignores_cancel_is_killed_with_what_it_started_after_the_grace_period()
    {
        var pidFile = Path.Combine(_scripts, "child.pid");
        var worker = Script("stubborn.sh", $$$"""
            echo '{"event":"started","settings":{"steps":5}}'
            sleep 600 &
            echo $! > '{{{pidFile}}}'
            wait
            """);
        await using var gateway = admin.Create(Work("stubborn"), ("Admin:RetrainWorker", worker), ("Admin:RetrainWorkerGracePeriod", "00:00:01"));
        using var client = gateway.CreateClient();
        var id = await StartedIdAsync(client);
        await Eventually.UntilAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0, "the worker's child");
        int child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("running", (await WaitForStateAsync(client, id, "running")).GetProperty("state").GetString());

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(client, HttpMethod.Delete, $"/admin/retrain/{id}")).StatusCode);
        Assert.Equal("cancelled", (await WaitForStateAsync(client, id, "cancelled", "failed", "succeeded")).GetProperty("state").GetString());
        await Eventually.UntilAsync(() => !IsRunning(child), "the worker's child process to be killed too");
    }

    private static bool IsRunning(int pid)
    {
        // A killed child may linger as a zombie until reaped: gone or dead both count.
        var status = $"/proc/{pid}/status";
        return File.Exists(status) && !File.ReadAllLines(status).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
    }

    private string Work(string name) => Directory.CreateDirectory(Path.Combine(_scripts, "work-" + name)).FullName;

    /// <summary>A shell script standing in for the worker (it is started as an executable, like a published uploadguard).</summary>
    private string Script(string name, string body)
    {
        var path = Path.Combine(_scripts, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static async Task<HttpResponseMessage> StartAsync(HttpClient client)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("5"), "steps" },
            { TestPhotos.File(TestArchives.TarGz(photos: 4, textFiles: 0), "application/gzip"), "dataset", "photos.tar.gz" },
        };
        return await SendAsync(client, HttpMethod.Post, "/admin/retrain", form);
    }

    private static async Task<string> StartedIdAsync(HttpClient client)
    {
        var started = await StartAsync(client);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> WaitForStateAsync(HttpClient client, string id, params string[] states)
    {
        JsonElement job = default;
        for (int i = 0; i < 1200; i++)
        {
            job = await (await SendAsync(client, HttpMethod.Get, $"/admin/retrain/{id}")).Content.ReadFromJsonAsync<JsonElement>();
            if (states.Contains(job.GetProperty("state").GetString())) return job;
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {id} never reached {string.Join("/", states)}: {job}");
    }
}
