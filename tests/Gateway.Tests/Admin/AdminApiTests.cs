using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Admin;

public sealed class AdminApiTests(AdminFixture admin) : IClassFixture<AdminFixture>
{
    public static TheoryData<string, string> Routes() => new()
    {
        { "GET", "/admin/models" },
        { "POST", $"/admin/models/{AdminFixture.SecondVersion}/activate" },
        { "POST", "/admin/retrain" },
        { "GET", "/admin/retrain/0123456789abcdef" },
        { "DELETE", "/admin/retrain/0123456789abcdef" },
        { "POST", "/admin/unprotect?owner=alice" },
        { "POST", "/hubs/admin/negotiate?negotiateVersion=1" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_admin_route_refuses_missing_wrong_and_non_admin_tokens(string method, string path)
    {
        foreach (var (token, status, reason) in new[] { ((string?)null, 401, "unauthenticated"), ("wrong-token", 401, "unauthenticated"), (GatewayFixture.AliceToken, 403, "forbidden") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await admin.Client.SendAsync(request);
            await UploadProtectionTests.Problem(response, (HttpStatusCode)status, reason);
        }

        // A browser sends cookies with requests any page makes: the admin token in the client cookie is no admin (CSRF).
        using var forged = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        forged.Headers.Add("Cookie", $"uploadguard_token={AdminFixture.AdminToken}");
        await UploadProtectionTests.Problem(await admin.Client.SendAsync(forged), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Unprotect_with_an_active_model_that_is_not_owner_keyed_is_a_409()
    {
        var original = ActiveIn(await GetJsonAsync("/admin/models"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/admin/models/{AdminFixture.SecondVersion}/activate")).StatusCode);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/unprotect?owner=alice") { Content = TestPhotos.File(TestPhotos.Png(seed: 71), "image/png") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
            await UploadProtectionTests.Problem(await admin.Client.SendAsync(request), HttpStatusCode.Conflict, "model_not_owner_keyed");
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/admin/models/{original}/activate")).StatusCode);
        }
    }

    [Fact]
    public async Task Models_are_listed_and_activation_switches_and_rolls_back()
    {
        var models = await GetJsonAsync("/admin/models");
        var versions = models.EnumerateArray().Select(m => m.GetProperty("card").GetProperty("version").GetString()).ToList();
        Assert.Contains(AdminFixture.SecondVersion, versions);
        var active = models.EnumerateArray().Single(m => m.GetProperty("active").GetBoolean());
        var original = active.GetProperty("card").GetProperty("version").GetString()!;
        // The shipped default: owner-keyed, a measured claim, and routes without a budget of their own get the claim's.
        Assert.Equal(JsonValueKind.Null, active.GetProperty("warning").ValueKind);
        Assert.StartsWith("measured at epsilon ", active.GetProperty("claimedProtection").GetString());
        Assert.Equal(GatewayFixture.DefaultEpsilon, active.GetProperty("defaultEpsilon").GetInt32());
        Assert.Equal("measured", active.GetProperty("claimAtDefaultEpsilon").GetString());
        var placeholder = models.EnumerateArray().Single(m => m.GetProperty("card").GetProperty("version").GetString() == AdminFixture.Placeholder);
        Assert.Equal("untrained model: no protection claimed", placeholder.GetProperty("warning").GetString());
        Assert.Equal(8, placeholder.GetProperty("defaultEpsilon").GetInt32());
        Assert.Equal("none-claimed", placeholder.GetProperty("claimAtDefaultEpsilon").GetString());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/admin/models/{AdminFixture.SecondVersion}/activate")).StatusCode);
        Assert.Equal(AdminFixture.SecondVersion, ActiveIn(await GetJsonAsync("/admin/models")));
        Assert.Contains(AdminFixture.SecondVersion, await File.ReadAllTextAsync(Path.Combine(admin.Registry, "registry.json")));

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/admin/models/{original}/activate")).StatusCode);
        Assert.Equal(original, ActiveIn(await GetJsonAsync("/admin/models")));

        await UploadProtectionTests.Problem(await SendAsync(HttpMethod.Post, "/admin/models/no-such-version/activate"), HttpStatusCode.NotFound, "unknown_model");
    }

    [Fact]
    public async Task A_tampered_version_is_refused_and_the_active_one_keeps_serving()
    {
        const string tampered = "0.1.2-tampered";
        var source = Path.Combine(admin.Registry, AdminFixture.SecondVersion);
        var target = Directory.CreateDirectory(Path.Combine(admin.Registry, tampered)).FullName;
        var card = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(source, "model-card.json")))!;
        card["version"] = tampered;
        await File.WriteAllTextAsync(Path.Combine(target, "model-card.json"), card.ToJsonString());
        var weights = await File.ReadAllBytesAsync(Path.Combine(source, "generator.safetensors"));
        weights[^3] ^= 0x40;
        await File.WriteAllBytesAsync(Path.Combine(target, "generator.safetensors"), weights);
        var before = ActiveIn(await GetJsonAsync("/admin/models"));

        var problem = await UploadProtectionTests.Problem(await SendAsync(HttpMethod.Post, $"/admin/models/{tampered}/activate"), HttpStatusCode.UnprocessableEntity, "model_unusable");
        Assert.Contains("SHA-256", problem.GetProperty("detail").GetString());
        Assert.Equal(before, ActiveIn(await GetJsonAsync("/admin/models")));
        Directory.Delete(target, recursive: true);
    }

    [Fact]
    public async Task Activation_during_concurrent_uploads_fails_no_request()
    {
        var original = ActiveIn(await GetJsonAsync("/admin/models"));
        var versionsSeen = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var uploads = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            int done = 0;
            while (!stop.IsCancellationRequested || done < 3)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/protect") { Content = TestPhotos.File(TestPhotos.Png(32, 24, seed: worker), "image/png") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.AliceToken);
                var response = await admin.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                versionsSeen.Add(response.Headers.GetValues("X-UploadGuard-Model").Single());
                done++;
            }
            return done;
        })).ToList();

        for (int i = 0; i < 4; i++)
        {
            var target = i % 2 == 0 ? AdminFixture.SecondVersion : original;
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/admin/models/{target}/activate")).StatusCode);
            await Task.Delay(150);
        }
        await stop.CancelAsync();
        var counts = await Task.WhenAll(uploads);

        Assert.True(counts.Sum() >= 18);
        Assert.Subset(new HashSet<string> { original, AdminFixture.SecondVersion }, versionsSeen.ToHashSet());
        Assert.Equal(original, ActiveIn(await GetJsonAsync("/admin/models")));
    }

    [Fact]
    public async Task Retraining_reports_progress_to_admins_and_the_gate_keeps_an_untrained_result_inactive()
    {
        var events = new ConcurrentQueue<JsonElement>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(admin.Factory.Server.BaseAddress, "/hubs/admin"), options =>
            {
                options.HttpMessageHandlerFactory = _ => admin.Factory.Server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
                options.AccessTokenProvider = () => Task.FromResult<string?>(AdminFixture.AdminToken);
            })
            .Build();
        hub.On<JsonElement>("training", events.Enqueue);
        await hub.StartAsync();
        var before = ActiveIn(await GetJsonAsync("/admin/models"));

        var started = await StartRetrainAsync(TestArchives.TarGz(photos: 20, textFiles: 3), ("steps", "4"), ("batchSize", "4"), ("imageSize", "32"), ("proxySize", "16"), ("maxImages", "20"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/admin/retrain/{id}", started.Headers.Location?.OriginalString);

        var job = await WaitForStateAsync(id, "succeeded", "failed");
        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        Assert.Equal(3, job.GetProperty("skippedNonImages").GetInt32());
        Assert.False(job.GetProperty("activated").GetBoolean());
        var gate = job.GetProperty("gate");
        Assert.False(gate.GetProperty("passed").GetBoolean());
        Assert.Contains(gate.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("not marked trained", StringComparison.Ordinal));
        var version = job.GetProperty("version").GetString()!;
        Assert.Contains(version, (await GetJsonAsync("/admin/models")).EnumerateArray().Select(m => m.GetProperty("card").GetProperty("version").GetString()));
        Assert.Equal(before, ActiveIn(await GetJsonAsync("/admin/models")));

        await Eventually.HoldsAsync(() => events.Any(e => e.GetProperty("state").GetString() == "succeeded"));
        Assert.Contains(events, e => e.GetProperty("id").GetString() == id && e.GetProperty("state").GetString() == "running" && e.GetProperty("step").GetInt64() > 0);
        Assert.Contains(events, e => e.GetProperty("id").GetString() == id && e.GetProperty("state").GetString() == "succeeded");
    }

    [Fact]
    public async Task Retraining_can_fit_an_owner_keyed_model_on_the_operators_photos_with_the_owner_texture_fields()
    {
        var started = await StartRetrainAsync(TestArchives.TarGz(photos: 20, textFiles: 0), ("architecture", "owner-texture"), ("steps", "4"),
            ("batchSize", "4"), ("imageSize", "32"), ("proxySize", "24"), ("minProxySize", "20"), ("pseudoOwners", "2"), ("episodeSteps", "2"),
            ("proxyLearningRate", "0.05"), ("gray", "0.3"), ("grayEpisodes", "0.5"), ("distinctKeys", "1.5"), ("hardOwners", "1"), ("episodeWarmUp", "2"), ("attackerPerEpisode", "true"), ("readableEpisodes", "0.25"), ("standIns", "resnet20, vgg"), ("halving", "0.5"), ("curriculumFraction", "0.75"), ("loudViews", "0.5"), ("loudAtomGradient", "0.25"), ("epsilon", "12"), ("maxImages", "20"));
        // 4 steps: untrained, and the gate keeps the active model.
        var card = await InactiveSmokeRunCardAsync(started);
        Assert.Equal("owner-texture-v1", card.GetProperty("architecture").GetProperty("name").GetString());
        Assert.Equal(12, card.GetProperty("epsilon").GetInt32());
        Assert.False(card.GetProperty("trained").GetBoolean());
        // The fields reached the trainer: its card names the recipe it ran.
        var notes = card.GetProperty("notes").GetString()!;
        Assert.Contains("2 pseudo-owners", notes);
        Assert.Contains("every 2 steps", notes);
        Assert.Contains("victims at 20-24 px", notes);
        Assert.Contains("grey with probability 0.3 per photo and 0.5 per episode", notes);
        Assert.Contains("(resnet20 and vgg, one per episode in turn)", notes);
        Assert.Contains("key distinctness weighted 1.5", notes);
        Assert.Contains("a halving with probability 0.5", notes);
        Assert.Contains("over the first 75% of the run", notes);
        Assert.Contains("a share 0.5 of the owned photos at 3 times epsilon all run, their gradient to the atoms weighted 0.25", notes);
        Assert.Contains("hard owners emphasised to the power 1 ", notes);
        Assert.Contains("each episode's stand-in warmed up at 2 times epsilon", notes);
        Assert.Contains("one attacker's pipeline per episode", notes);
        Assert.Contains("a readable attacker in a share 0.25 of episodes", notes);
    }

    /// <summary>Waits for a started job to succeed without being activated, and returns its model's card.</summary>
    private async Task<JsonElement> InactiveSmokeRunCardAsync(HttpResponseMessage started)
    {
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var job = await WaitForStateAsync(id, "succeeded", "failed");
        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        Assert.False(job.GetProperty("activated").GetBoolean());
        var version = job.GetProperty("version").GetString()!;
        return (await GetJsonAsync("/admin/models")).EnumerateArray().Select(m => m.GetProperty("card"))
            .Single(c => c.GetProperty("version").GetString() == version);
    }

    [Fact]
    public async Task One_training_at_a_time_and_a_running_job_can_be_cancelled()
    {
        var first = await StartRetrainAsync(TestArchives.TarGz(photos: 12, textFiles: 0), ("steps", "100000"), ("batchSize", "2"), ("imageSize", "32"), ("proxySize", "16"));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var running = await WaitForStateAsync(id, "running", "failed", "cancelled", "succeeded");
        Assert.True(running.GetProperty("state").GetString() == "running", running.ToString());

        var second = await StartRetrainAsync(TestArchives.TarGz(photos: 12, textFiles: 0), ("steps", "10"));
        await UploadProtectionTests.Problem(second, HttpStatusCode.Conflict, "training_busy");

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(HttpMethod.Delete, $"/admin/retrain/{id}")).StatusCode);
        Assert.Equal("cancelled", (await WaitForStateAsync(id, "cancelled", "failed", "succeeded")).GetProperty("state").GetString());
        await UploadProtectionTests.Problem(await SendAsync(HttpMethod.Delete, $"/admin/retrain/{id}"), HttpStatusCode.Conflict, "not_running");
    }

    public static TheoryData<string, byte[], string> UnsafeArchives() => new()
    {
        { "zip slip", TestArchives.Zip(("photos/../../evil.png", TestPhotos.Png())), "zip_slip" },
        { "absolute path", TestArchives.Zip(("/etc/cron.d/evil", TestPhotos.Png())), "zip_slip" },
        { "zip bomb", TestArchives.Zip(("zeros.bin", new byte[30_000_000])), "zip_bomb" },
        { "no photos", TestArchives.Zip(("notes.txt", "hello"u8.ToArray())), "no_images" },
        { "not an archive", "definitely not an archive"u8.ToArray(), "corrupt_archive" },
    };

    [Theory]
    [MemberData(nameof(UnsafeArchives))]
    public async Task Unsafe_or_empty_archives_are_refused_before_training(string name, byte[] archive, string reason)
    {
        var response = await StartRetrainAsync(archive, ("steps", "2"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is 400 or 422, $"{name}: {response.StatusCode} {text}");
        Assert.Equal(reason, JsonDocument.Parse(text).RootElement.GetProperty("reason").GetString());
        Assert.False(File.Exists(Path.Combine(admin.WorkPath, "..", "evil.png")));
    }

    [Theory]
    [InlineData("steps", "0")]
    [InlineData("batchSize", "1000")]
    [InlineData("imageSize", "30")]
    [InlineData("architecture", "transformer")]
    [InlineData("proxySize", "30")]
    [InlineData("minProxySize", "8")]
    [InlineData("minProxySize", "600")]
    [InlineData("learningRate", "5")]
    [InlineData("pseudoOwners", "0")]
    [InlineData("episodeSteps", "0")]
    [InlineData("proxyLearningRate", "2")]
    [InlineData("gray", "1.5")]
    [InlineData("grayEpisodes", "2")]
    [InlineData("distinctKeys", "-1")]
    [InlineData("hardOwners", "9")]
    [InlineData("episodeWarmUp", "0.5")]
    [InlineData("episodeWarmUp", "5")]
    [InlineData("readableEpisodes", "1.5")]
    [InlineData("standIns", "alexnet")]
    [InlineData("standIns", ",")]
    [InlineData("jpeg", "-0.1")]
    [InlineData("halving", "1.5")]
    [InlineData("curriculumFraction", "0")]
    [InlineData("curriculumFraction", "1.5")]
    [InlineData("loudViews", "-0.5")]
    [InlineData("loudAtomGradient", "1.5")]
    [InlineData("version", "../x")]
    public async Task Hyper_parameters_outside_their_ranges_are_refused(string field, string value)
    {
        var response = await StartRetrainAsync(TestArchives.TarGz(2, 0), (field, value));
        var problem = await UploadProtectionTests.Problem(response, HttpStatusCode.BadRequest, "invalid_parameters");
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any());
    }

    [Fact]
    public async Task Force_activates_a_version_the_gate_refuses()
    {
        var before = ActiveIn(await GetJsonAsync("/admin/models"));
        var started = await StartRetrainAsync(TestArchives.TarGz(photos: 20, textFiles: 0), ("steps", "2"), ("batchSize", "4"), ("imageSize", "32"),
            ("proxySize", "16"), ("maxImages", "20"), ("force", "true"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var job = await WaitForStateAsync(id, "succeeded", "failed");
        try
        {
            Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
            Assert.False(job.GetProperty("gate").GetProperty("passed").GetBoolean());
            Assert.True(job.GetProperty("activated").GetBoolean());
            Assert.Equal(job.GetProperty("version").GetString(), ActiveIn(await GetJsonAsync("/admin/models")));
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/admin/models/{before}/activate")).StatusCode);
        }
    }

    [Theory]
    [InlineData("keepStandIns needs one stand-in architecture", "keepStandIns", "true", "standIns", "resnet20,vgg")]
    [InlineData("freshBesideKept needs keepStandIns", "freshBesideKept", "true")]
    [InlineData("loudAtomGradient below 1 needs loudViews", "loudAtomGradient", "0", "loudViews", "0")]
    public async Task A_setting_without_the_one_it_needs_is_refused(string reason, params string[] fields)
    {
        var response = await StartRetrainAsync(TestArchives.TarGz(2, 0), [.. fields.Chunk(2).Select(f => (f[0], f[1]))]);
        var problem = await UploadProtectionTests.Problem(response, HttpStatusCode.BadRequest, "invalid_parameters");
        Assert.Contains(reason, problem.GetProperty("errors").ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("attackerPerEpisode")]
    [InlineData("keepStandIns")]
    [InlineData("freshBesideKept")]
    [InlineData("force")]
    public async Task A_switch_that_is_neither_true_nor_false_is_refused(string field)
    {
        var response = await StartRetrainAsync(TestArchives.TarGz(2, 0), (field, "maybe"));
        var problem = await UploadProtectionTests.Problem(response, HttpStatusCode.BadRequest, "invalid_parameters");
        Assert.Contains(field, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_server_dataset_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/retrain") { Content = JsonContent.Create(new { dataset = "nope", steps = 2 }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
        await UploadProtectionTests.Problem(await admin.Client.SendAsync(request), HttpStatusCode.BadRequest, "unknown_dataset");
    }

    private async Task<HttpResponseMessage> StartRetrainAsync(byte[] archive, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        form.Add(TestPhotos.File(archive, "application/gzip"), "dataset", "photos.tar.gz");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/retrain") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
        return await admin.Client.SendAsync(request);
    }

    private async Task<JsonElement> WaitForStateAsync(string id, params string[] states)
    {
        JsonElement job = default;
        for (int i = 0; i < 1200; i++)
        {
            job = await GetJsonAsync($"/admin/retrain/{id}");
            if (states.Contains(job.GetProperty("state").GetString())) return job;
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {id} never reached {string.Join("/", states)}: {job}");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
        return await admin.Client.SendAsync(request);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string ActiveIn(JsonElement models) =>
        models.EnumerateArray().Single(m => m.GetProperty("active").GetBoolean()).GetProperty("card").GetProperty("version").GetString()!;
}
