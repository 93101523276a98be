// A real upstream HTTP server for the gateway's tests. It records every request it receives (method, path, headers,
// raw body) as files in the folder given by --record, and can misbehave on purpose:
//   /slow/...    answers after ?ms= milliseconds (default 3000)
//   /reset/...   aborts the connection without answering
//   /cut/...     aborts the connection after reading ?after= bytes of the body (default 1024), before the rest arrives
//   /status/{code}/...  answers with that status
// Everything else answers 201 with a small JSON receipt.
using System.Text.Json;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
builder.Logging.ClearProviders();
var app = builder.Build();
var record = app.Configuration["record"] ?? throw new InvalidOperationException("--record <folder> is required");
Directory.CreateDirectory(record);
int counter = 0;

app.Run(async context =>
{
    var path = context.Request.Path.Value ?? "";
    using var body = new MemoryStream();
    if (path.StartsWith("/cut", StringComparison.Ordinal))
    {
        int after = int.TryParse(context.Request.Query["after"], out var a) ? a : 1024;
        var buffer = new byte[after];
        int read, filled = 0;
        while (filled < after && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(filled))) > 0) filled += read;
        body.Write(buffer, 0, filled);
    }
    else
    {
        await context.Request.Body.CopyToAsync(body);
    }
    int n = Interlocked.Increment(ref counter);
    var meta = new
    {
        method = context.Request.Method,
        path = context.Request.Path.Value + context.Request.QueryString.Value,
        headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()),
        length = body.Length,
        complete = !path.StartsWith("/cut", StringComparison.Ordinal),
    };
    await File.WriteAllBytesAsync(Path.Combine(record, $"{n:D5}.body"), body.ToArray());
    // Written last and renamed into place, so a reader that sees the .json also sees the body.
    var json = Path.Combine(record, $"{n:D5}.json");
    await File.WriteAllTextAsync(json + ".tmp", JsonSerializer.Serialize(meta));
    File.Move(json + ".tmp", json);

    if (path.StartsWith("/slow", StringComparison.Ordinal))
        await Task.Delay(int.TryParse(context.Request.Query["ms"], out var ms) ? ms : 3000);
    if (path.StartsWith("/reset", StringComparison.Ordinal) || path.StartsWith("/cut", StringComparison.Ordinal))
    {
        context.Abort();
        return;
    }
    if (path.StartsWith("/status/", StringComparison.Ordinal) && int.TryParse(path.Split('/')[2], out var status))
    {
        context.Response.StatusCode = status;
        return;
    }
    context.Response.StatusCode = 201;
    await context.Response.WriteAsJsonAsync(new { received = n, bytes = body.Length });
});

app.Run();
