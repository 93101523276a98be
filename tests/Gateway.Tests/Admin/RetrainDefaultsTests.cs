using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using UploadGuard.Gateway.Admin;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>
/// Retraining from the admin API or its page means what <c>uploadguard train</c> means with the same fields left out:
/// the gateway leaves them to the worker, which fills in <see cref="GeneratorTrainingOptions"/>' defaults.
/// </summary>
public sealed class RetrainDefaultsTests(AdminFixture admin) : IClassFixture<AdminFixture>
{
    private static readonly GeneratorTrainingOptions Trainer = new() { DataSource = "", ModelsPath = "" };

    [Fact]
    public async Task A_retraining_with_every_field_left_out_runs_with_the_trainers_defaults()
    {
        var form = new MultipartFormDataContent { { TestPhotos.File(TestArchives.TarGz(photos: 4, textFiles: 0), "application/gzip"), "dataset", "photos.tar.gz" } };
        var started = await SendAsync(HttpMethod.Post, "/admin/retrain", form);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The worker reports its settings before it reads a photo; a full default run is not waited for.
        var job = await WaitAsync(id, j => j.GetProperty("settings").ValueKind == JsonValueKind.Object || j.GetProperty("state").GetString() is "failed" or "succeeded");
        Assert.True(job.GetProperty("settings").ValueKind == JsonValueKind.Object, job.ToString());
        var settings = job.GetProperty("settings");
        Assert.Equal(Trainer.Steps, settings.GetProperty("steps").GetInt64());
        Assert.Equal(Trainer.Steps, job.GetProperty("totalSteps").GetInt64());
        Assert.Equal(Trainer.BatchSize, settings.GetProperty("batchSize").GetInt32());
        Assert.Equal(Trainer.ImageSize, settings.GetProperty("imageSize").GetInt32());
        Assert.Equal(Trainer.Architecture, GeneratorCatalog.FromTrainingName(settings.GetProperty("architecture").GetString()!).Architecture);
        Assert.Equal(Trainer.ProxySize, settings.GetProperty("proxySize").GetInt32());
        Assert.Equal(Trainer.SmallestProxySize, settings.GetProperty("minProxySize").GetInt32());
        Assert.Equal(Trainer.LearningRate, settings.GetProperty("learningRate").GetDouble());
        Assert.Equal(Trainer.PseudoOwners, settings.GetProperty("pseudoOwners").GetInt32());
        Assert.Equal(Trainer.EpisodeSteps, settings.GetProperty("episodeSteps").GetInt32());
        Assert.Equal(Trainer.ProxyLearningRate, settings.GetProperty("proxyLearningRate").GetDouble());
        Assert.Equal(Trainer.GrayProbability, settings.GetProperty("gray").GetDouble());
        Assert.Equal(Trainer.GrayEpisodeProbability, settings.GetProperty("grayEpisodes").GetDouble());
        Assert.Equal(Trainer.KeyDistinctnessWeight, settings.GetProperty("distinctKeys").GetDouble());
        Assert.Equal(Trainer.HardOwnerEmphasis, settings.GetProperty("hardOwners").GetDouble());
        Assert.Equal(Trainer.EpisodeWarmUp, settings.GetProperty("episodeWarmUp").GetDouble());
        Assert.Equal(Trainer.AttackerPerEpisode, settings.GetProperty("attackerPerEpisode").GetBoolean());
        Assert.Equal(Trainer.KeepStandIns, settings.GetProperty("keepStandIns").GetBoolean());
        Assert.Equal(Trainer.FreshStandInBesideKept, settings.GetProperty("freshBesideKept").GetBoolean());
        Assert.Equal(Trainer.ReadableEpisodeProbability, settings.GetProperty("readableEpisodes").GetDouble());
        Assert.Equal(Trainer.StandInVictims.Select(VictimArchitectures.Name), settings.GetProperty("standIns").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Trainer.JpegProbability, settings.GetProperty("jpeg").GetDouble());
        Assert.Equal(Trainer.HalvingProbability, settings.GetProperty("halving").GetDouble());
        Assert.Equal(Trainer.CurriculumFraction, settings.GetProperty("curriculumFraction").GetDouble());
        Assert.Equal(Trainer.LoudViewProbability, settings.GetProperty("loudViews").GetDouble());
        Assert.Equal(Trainer.LoudViewAtomGradient, settings.GetProperty("loudAtomGradient").GetDouble());
        Assert.Equal(Trainer.Epsilon, settings.GetProperty("epsilon").GetInt32());
        Assert.Equal(Trainer.Seed, settings.GetProperty("seed").GetInt32());
        // Not the trainer's (every photo) but the gateway's cap, and the gateway's own checkpoint interval.
        Assert.Equal(RetrainRequest.DefaultMaxImages, settings.GetProperty("maxImages").GetInt32());
        Assert.Equal(2, settings.GetProperty("checkpointInterval").GetInt32());

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(HttpMethod.Delete, $"/admin/retrain/{id}")).StatusCode);
        Assert.Equal("cancelled", (await WaitAsync(id, j => j.GetProperty("state").GetString() is not ("queued" or "running"))).GetProperty("state").GetString());
    }

    [Fact]
    public void The_admin_page_form_starts_from_the_trainers_defaults()
    {
        var html = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "wwwroot", "admin-ui", "index.html"));
        string Value(string name) => Regex.Match(html, $"name=\"{name}\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        double Number(string name) => double.Parse(Value(name), CultureInfo.InvariantCulture);
        Assert.Equal(Trainer.Steps, Number("steps"));
        Assert.Equal(Trainer.BatchSize, Number("batchSize"));
        Assert.Equal(Trainer.ImageSize, Number("imageSize"));
        Assert.Equal(Trainer.ProxySize, Number("proxySize"));
        // Empty: the trainer's default, half of whatever stand-in size the form sends (the job's settings report it).
        Assert.Empty(Value("minProxySize"));
        Assert.Equal(Trainer.LearningRate, Number("learningRate"));
        Assert.Equal(Trainer.PseudoOwners, Number("pseudoOwners"));
        Assert.Equal(Trainer.EpisodeSteps, Number("episodeSteps"));
        Assert.Equal(Trainer.ProxyLearningRate, Number("proxyLearningRate"));
        Assert.Equal(Trainer.GrayProbability, Number("gray"));
        Assert.Equal(Trainer.GrayEpisodeProbability, Number("grayEpisodes"));
        Assert.Equal(Trainer.KeyDistinctnessWeight, Number("distinctKeys"));
        Assert.Equal(Trainer.HardOwnerEmphasis, Number("hardOwners"));
        Assert.Equal(Trainer.EpisodeWarmUp, Number("episodeWarmUp"));
        Assert.Equal(Trainer.ReadableEpisodeProbability, Number("readableEpisodes"));
        // A checkbox: ticked only where the trainer's default is on.
        Assert.Equal(Trainer.AttackerPerEpisode, Regex.IsMatch(html, "name=\"attackerPerEpisode\"[^>]*checked"));
        Assert.Equal(Trainer.KeepStandIns, Regex.IsMatch(html, "name=\"keepStandIns\"[^>]*checked"));
        Assert.Equal(Trainer.FreshStandInBesideKept, Regex.IsMatch(html, "name=\"freshBesideKept\"[^>]*checked"));
        Assert.Equal(string.Join(",", Trainer.StandInVictims.Select(VictimArchitectures.Name)), Value("standIns"));
        Assert.Equal(Trainer.JpegProbability, Number("jpeg"));
        Assert.Equal(Trainer.HalvingProbability, Number("halving"));
        Assert.Equal(Trainer.LoudViewAtomGradient, Number("loudAtomGradient"));
        Assert.Equal(Trainer.CurriculumFraction, Number("curriculumFraction"));
        Assert.Equal(Trainer.LoudViewProbability, Number("loudViews"));
        Assert.Equal(Trainer.Epsilon, Number("epsilon"));
        var architecture = Regex.Match(html, "<select name=\"architecture\">.*?<option selected>([^<]+)</option>").Groups[1].Value;
        Assert.Equal(Trainer.Architecture, GeneratorCatalog.FromTrainingName(architecture).Architecture);
    }

    [Fact]
    public void The_admin_page_offers_exactly_the_architectures_and_stand_ins_the_trainer_takes()
    {
        // The static page cannot read the catalog, so its lists are kept by hand; this keeps them from drifting.
        var html = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "wwwroot", "admin-ui", "index.html"));
        var select = Regex.Match(html, "<select name=\"architecture\">(.*?)</select>").Groups[1].Value;
        Assert.Equal(GeneratorCatalog.TrainingNames, Regex.Matches(select, "<option(?: selected)?>([^<]+)</option>").Select(m => m.Groups[1].Value));
        var pattern = Regex.Match(html, "name=\"standIns\"[^>]*pattern=\"[^\"]*?\\((?<names>[a-z0-9|]+)\\)").Groups["names"].Value;
        Assert.Equal(TrainingHyperParameters.StandInNames.Order(), pattern.Split('|').Order());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
        return await admin.Client.SendAsync(request);
    }

    private async Task<JsonElement> WaitAsync(string id, Func<JsonElement, bool> condition)
    {
        JsonElement job = default;
        for (int i = 0; i < 1200; i++)
        {
            job = await (await SendAsync(HttpMethod.Get, $"/admin/retrain/{id}")).Content.ReadFromJsonAsync<JsonElement>();
            if (condition(job)) return job;
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {id}: condition never met: {job}");
    }
}
