using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using UploadGuard.Gateway.Protection;
using UploadGuard.ProtectionEngine.Imaging;

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

            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync();
                _ = form.Files.Select(f => f.FileName).ToList();
            }
            catch (Exception ex) when (ex is InvalidDataException or ArgumentException or FormatException or NotSupportedException)
            {
                // ASP.NET Core's form reader is stricter than the gateway in places (a bare filename* parameter, a
                // filename* in a charset .NET refuses such as UTF-7): a 400, as a site would answer.
                return Results.Problem(statusCode: 400, title: "Unreadable form", detail: ex.Message, extensions: new Dictionary<string, object?> { ["reason"] = "malformed_form" });
            }
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

        app.MapGet("/demo/files/{name}", async (string name, HttpContext context) =>
        {
            var safe = SafeFileName.From(name);
            var path = safe is null ? null : Path.Combine(storage, safe);
            if (path is null || !File.Exists(path))
                return Results.Problem(statusCode: 404, title: "No such file", extensions: new Dictionary<string, object?> { ["reason"] = "not_found" });
            // Stored files are whatever clients sent, served on the gateway's origin (beside /admin-ui/): the type comes from
            // the content, never the name, only raster images display inline, and nothing served may run script or be sniffed.
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'";
            var head = new byte[ImageFormatSniffer.HeaderLength];
            await using (var file = File.OpenRead(path))
                head = head[..await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false)];
            return ImageFormatSniffer.DetectSupported(head) is { } format
                ? Results.File(path, "image/" + format.ToString().ToLowerInvariant())
                : Results.File(path, "application/octet-stream", fileDownloadName: safe);
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
