using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.ResNetGenerator;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>A gateway with an admin token, a writable copy of the model registry (two versions) and its own work folder.</summary>
public sealed class AdminFixture : IAsyncLifetime
{
    public const string AdminToken = "admin-token-5f2d8c1e9b";
    public const string SecondVersion = "0.1.1-untrained-test";

    /// <summary>The shipped placeholder the second version copies (the active model is owner-keyed, with no network to copy).</summary>
    public const string Placeholder = ShippedRegistry.Placeholder;

    public string Registry { get; } = Directory.CreateTempSubdirectory("uploadguard-admin-registry-").FullName;

    public string WorkPath { get; } = Directory.CreateTempSubdirectory("uploadguard-admin-work-").FullName;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        CopyRegistryWithSecondVersion(Registry);
        Factory = Create(WorkPath);
        Client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    /// <summary>The shipped registry copied into <paramref name="folder"/>, plus a second placeholder version made like <see cref="Placeholder"/>.</summary>
    public static void CopyRegistryWithSecondVersion(string folder)
    {
        var registry = ShippedRegistry.CopyTo(folder);
        var shipped = registry.ReadCard(Placeholder);
        random.manual_seed(2);
        using var generator = new PerturbationGenerator(shipped.Architecture);
        registry.Save(shipped with { Version = SecondVersion, Notes = "second placeholder for activation tests", Created = DateTimeOffset.UtcNow }, generator);
    }

    /// <summary>The real worker, <c>uploadguard retrain</c>, built beside the tests (the Cli project reference).</summary>
    public static string Worker { get; } = Path.Combine(AppContext.BaseDirectory, "uploadguard.dll");

    /// <param name="overrides">Settings applied last, e.g. another <c>Admin:RetrainWorker</c>.</param>
    public WebApplicationFactory<Program> Create(string workPath, params (string Key, string Value)[] overrides) => new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
    {
        foreach (var (key, value) in Support.GatewayFixture.Settings(new Uri("http://127.0.0.1:9/")))
            builder.UseSetting(key, value);
        builder.UseSetting("Engine:ModelsPath", Registry);
        builder.UseSetting("Engine:RegistryPollInterval", "00:10:00");
        builder.UseSetting("Admin:Tokens:0", AdminToken);
        builder.UseSetting("Admin:WorkPath", workPath);
        builder.UseSetting("Admin:CheckpointInterval", "2");
        builder.UseSetting("Admin:GateSampleSize", "8");
        builder.UseSetting("Admin:MaxUploadBytes", "20000000");
        builder.UseSetting("Admin:MaxUnpackedBytes", "50000000");
        builder.UseSetting("Admin:RetrainWorker", Worker);
        foreach (var (key, value) in overrides)
            builder.UseSetting(key, value);
    });

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        Directory.Delete(Registry, recursive: true);
        Directory.Delete(WorkPath, recursive: true);
    }
}
