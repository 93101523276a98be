using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.StaticFiles;
using UploadGuard.Gateway.Proxy;

namespace UploadGuard.Gateway.Demo;

/// <summary>
/// A small image host on its own loopback port, standing in for a real upload site: <c>POST /demo/upload</c> stores
/// each file part under its sanitised file name and <c>GET /demo/files/{name}</c> serves it back. The gateway proxies
/// to it like to any upstream, so what it stores is what an upstream would receive.
/// </summary>
public sealed class DemoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoUpstream(WebApplication app, string storage, Uri address)
    {
        _app = app;
        Storage = storage;
        Address = address;
    }

    public string Storage { get; }

    public Uri Address { get; }

    public static async Task<DemoUpstream> StartAsync(DemoUpstreamOptions options)
    {
        var storage = options.StoragePath is { Length: > 0 } path
            ? Directory.CreateDirectory(path).FullName
            : Directory.CreateTempSubdirectory("uploadguard-demo-").FullName;

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 200 * 1024 * 1024);
        builder.Logging.ClearProviders();
        var app = builder.Build();

        app.MapPost("/demo/upload", async (HttpRequest request) =>
        {
            if (!request.HasFormContentType)
            {
                var raw = await RequestBodyReader.ReadAsync(request.HttpContext, 200 * 1024 * 1024);
                var name = $"upload-{Guid.NewGuid():N}";
                await File.WriteAllBytesAsync(Path.Combine(storage, name), raw);
                return Results.Json(new { files = new[] { new { field = "body", fileName = name, bytes = raw.Length, url = $"/demo/files/{name}" } } }, statusCode: 201);
            }

            var form = await request.ReadFormAsync();
            var stored = new List<object>();
            foreach (var file in form.Files)
            {
                var name = SafeFileName.From(file.FileName) ?? $"upload-{Guid.NewGuid():N}";
                await using (var target = File.Create(Path.Combine(storage, name)))
                    await file.CopyToAsync(target);
                stored.Add(new { field = file.Name, fileName = name, bytes = file.Length, url = $"/demo/files/{Uri.EscapeDataString(name)}" });
            }
            var fields = form.Where(f => !form.Files.Any(file => file.Name == f.Key)).ToDictionary(f => f.Key, f => f.Value.ToString());
            return Results.Json(new { files = stored, fields }, statusCode: 201);
        });

        var contentTypes = new FileExtensionContentTypeProvider();
        app.MapGet("/demo/files/{name}", (string name) =>
        {
            var safe = SafeFileName.From(name);
            var path = safe is null ? null : Path.Combine(storage, safe);
            if (path is null || !File.Exists(path))
                return Results.Problem(statusCode: 404, title: "No such file", extensions: new Dictionary<string, object?> { ["reason"] = "not_found" });
            return Results.File(path, contentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream");
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DemoUpstream(app, storage, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
