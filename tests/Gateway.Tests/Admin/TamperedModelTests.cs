using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>
/// A model file changed after it was registered (one flipped bit) is refused wherever the gateway loads it: at
/// activation (422, the served version unchanged) and at start-up (the gateway does not come up on it). The
/// registry-level check is ModelRegistryTests.Tampered_weights_are_refused_at_load.
/// </summary>
public sealed class TamperedModelTests : IDisposable
{
    private readonly string _registry = Directory.CreateTempSubdirectory("uploadguard-tampered-").FullName;

    public TamperedModelTests()
    {
        AdminFixture.CopyRegistryWithSecondVersion(_registry);
        var weights = Path.Combine(_registry, AdminFixture.SecondVersion, "generator.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^10] ^= 0x01;
        File.WriteAllBytes(weights, bytes);
    }

    public void Dispose()
    {
        Directory.Delete(_registry, recursive: true);
        if (Directory.Exists(_registry + "-work")) Directory.Delete(_registry + "-work", recursive: true);
    }

    [Fact]
    public async Task Activating_a_tampered_version_is_refused_and_the_served_model_stays()
    {
        await using var factory = Create();
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.AdminToken);
        var before = await ActiveAsync(client);

        var refused = await client.PostAsync($"/admin/models/{AdminFixture.SecondVersion}/activate", null);

        var problem = await UploadProtectionTests.Problem(refused, HttpStatusCode.UnprocessableEntity, "model_unusable");
        Assert.Contains("SHA-256", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await ActiveAsync(client));
        Assert.NotEqual(AdminFixture.SecondVersion, before);
    }

    [Fact]
    public async Task A_gateway_whose_active_model_is_tampered_does_not_start()
    {
        new ModelRegistry(_registry).SetActive(AdminFixture.SecondVersion);
        await using var factory = Create();

        var ex = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(ex);
        Assert.Contains("SHA-256", ex.ToString());
    }

    private WebApplicationFactory<Program> Create() => new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
    {
        foreach (var (key, value) in GatewayFixture.Settings(new Uri("http://127.0.0.1:9/")))
            builder.UseSetting(key, value);
        builder.UseSetting("Engine:ModelsPath", _registry);
        builder.UseSetting("Engine:RegistryPollInterval", "00:10:00");
        builder.UseSetting("Admin:Tokens:0", AdminFixture.AdminToken);
        builder.UseSetting("Admin:WorkPath", _registry + "-work");
    });

    private static async Task<string> ActiveAsync(HttpClient client)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/admin/models"));
        return doc.RootElement.EnumerateArray().Single(m => m.GetProperty("active").GetBoolean()).GetProperty("card").GetProperty("version").GetString()!;
    }
}
