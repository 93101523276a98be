using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Admin;

public sealed class RetrainResumeTests(AdminFixture admin) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task A_restarted_gateway_resumes_an_unfinished_job_from_its_checkpoint()
    {
        var work = Directory.CreateTempSubdirectory("uploadguard-resume-").FullName;
        try
        {
            string id;
            long reached;
            await using (var first = admin.Create(work))
            {
                using var client = first.CreateClient();
                var form = new MultipartFormDataContent
                {
                    { new StringContent("100000"), "steps" },
                    { new StringContent("2"), "batchSize" },
                    { new StringContent("32"), "imageSize" },
                    { new StringContent("16"), "proxySize" },
                    { TestPhotos.File(TestArchives.TarGz(photos: 10, textFiles: 0), "application/gzip"), "dataset", "photos.tar.gz" },
                };
                var started = await SendAsync(client, HttpMethod.Post, "/admin/retrain", form);
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                reached = (await WaitAsync(client, id, job => job.GetProperty("step").GetInt64() >= 6)).GetProperty("step").GetInt64();
            }   // the gateway stops here, mid-training

            var saved = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(work, id, "job.json"))).RootElement;
            Assert.Equal("running", saved.GetProperty("state").GetString());

            await using var second = admin.Create(work);
            using var again = second.CreateClient();
            var resumed = await WaitAsync(again, id, job => job.TryGetProperty("resumedFromStep", out var from) && from.ValueKind == JsonValueKind.Number);
            long from = resumed.GetProperty("resumedFromStep").GetInt64();
            // Stopping writes a checkpoint where training was (besides the one every 2 steps): it goes on from there, not from 0.
            Assert.True(from >= reached, $"resumed from {from}, but it had reached {reached}");

            Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(again, HttpMethod.Delete, $"/admin/retrain/{id}")).StatusCode);
            Assert.Equal("cancelled", (await WaitAsync(again, id, job => job.GetProperty("state").GetString() != "running")).GetProperty("state").GetString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, string id, Func<JsonElement, bool> condition)
    {
        JsonElement job = default;
        for (int i = 0; i < 1200; i++)
        {
            var response = await SendAsync(client, HttpMethod.Get, $"/admin/retrain/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                job = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (condition(job)) return job;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {id}: condition never met: {job}");
    }
}
