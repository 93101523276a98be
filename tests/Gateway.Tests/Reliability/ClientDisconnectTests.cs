using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.Tests.Common;

namespace UploadGuard.Gateway.Tests.Reliability;

/// <summary>
/// Clients that go away mid-upload, and HTTP header floods (a problem+json 431 within the configured limits' headroom,
/// Kestrel's bare 431 beyond it), against a real gateway process over raw TCP. Afterwards the
/// gateway is healthy, nothing was forwarded for a cut request, its uploads-in-flight and buffered-bytes gauges are
/// back to zero, no file was left in its temp folder and its open descriptors are back near where they were.
/// </summary>
public sealed class ClientDisconnectTests : IAsyncLifetime
{
    private readonly string _temp = Directory.CreateTempSubdirectory("uploadguard-disconnect-tmp-").FullName;
    private readonly RecordingUpstream _upstream = new();
    private ChildProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        await _upstream.InitializeAsync();
        var environment = GatewayFixture.ProcessEnvironment(_upstream.Address);
        environment["DemoUpstream__Enabled"] = "false";
        environment["TMPDIR"] = _temp;   // whatever the gateway writes to Path.GetTempPath() lands here
        _gateway = await GatewayFixture.StartProcessAsync(environment);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task Clients_that_disconnect_mid_upload_leave_nothing_behind()
    {
        using var http = new HttpClient { BaseAddress = _gateway.Address };
        // Warm up every path once (connection pools, metrics), then take the baseline.
        Assert.Equal(201, (int)(await http.PutAsync($"/site/{Guid.NewGuid():N}/warm.png", TestPhotos.File(TestPhotos.Png(), "image/png"))).StatusCode);
        await MetricsAsync(http);
        var tempBefore = Directory.GetFileSystemEntries(_temp).Order().ToArray();
        int descriptorsBefore = Descriptors();

        var png = TestPhotos.Png(300, 200, seed: 51);
        var form = BadInputCorpus.MultipartBytes(BadInputCorpus.FilePart("photo", "photo.png", "image/png", png));
        var cut = new List<string>();
        for (int i = 0; i < 8; i++)
        {
            // Headers promise more than is sent: mid-body in a form, mid-body in a raw image, a chunked body with no
            // last chunk, and a request cut inside its headers.
            cut.Add(await SendAndCloseAsync("POST", "multipart/form-data; boundary=" + BadInputCorpus.Boundary, $"Content-Length: {form.Length}\r\n", form[..(form.Length / (2 + i % 3))]));
            cut.Add(await SendAndCloseAsync("PUT", "image/png", $"Content-Length: {png.Length}\r\n", png[..(png.Length / 2)]));
            cut.Add(await SendAndCloseAsync("PUT", "image/png", "Transfer-Encoding: chunked\r\n", [.. Encoding.ASCII.GetBytes($"{png.Length / 3:x}\r\n"), .. png[..(png.Length / 3)], .. "\r\n"u8]));
            cut.Add(await SendAndCloseAsync("PUT", "image/png", "X-Half-A-Hea", [], endHeaders: false));
        }

        // A client that sends the whole body and leaves before the answer: the upload may or may not have gone out,
        // but never more than once, and only protected.
        var leftEarly = new List<string>();
        for (int i = 0; i < 4; i++)
            leftEarly.Add(await SendAndCloseAsync("PUT", "image/png", $"Content-Length: {png.Length}\r\n", png));

        await SettleAsync(http);
        foreach (var path in cut)
            Assert.Empty(_upstream.Received(path));
        foreach (var path in leftEarly)
        {
            var received = _upstream.Received(path);
            Assert.True(received.Count <= 1, $"{path} forwarded {received.Count} times");
            foreach (var r in received) Assert.InRange(PixelDifference.MaxAbs(png, r.Body), 1, GatewayFixture.DefaultEpsilon);
        }
        Assert.Equal("Healthy", await http.GetStringAsync("/healthz"));
        Assert.Equal(201, (int)(await http.PutAsync($"/site/{Guid.NewGuid():N}/after.png", TestPhotos.File(TestPhotos.Png(), "image/png"))).StatusCode);
        await SettleAsync(http);
        Assert.Equal(tempBefore, Directory.GetFileSystemEntries(_temp).Order().ToArray());
        Assert.InRange(Descriptors(), 0, descriptorsBefore + 8);
    }

    [Theory]
    [InlineData(1, 40 * 1024)]   // one 40 KiB header: over the configured 32 KiB in all
    [InlineData(150, 16)]        // 150 small headers: over the configured 100
    public async Task Header_floods_are_refused_with_a_problem_and_nothing_is_forwarded(int count, int size)
    {
        var path = $"/site/{Guid.NewGuid():N}/flood.png";
        var (head, body) = await SendFloodAsync(path, count, size);

        Assert.StartsWith("HTTP/1.1 431", head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Connection: close", head, StringComparison.OrdinalIgnoreCase);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("headers_too_large", problem.GetProperty("reason").GetString());
        Assert.Equal(431, problem.GetProperty("status").GetInt32());
        Assert.Empty(_upstream.Received(path));
    }

    [Theory]
    [InlineData(1, 100 * 1024)]  // over Kestrel's own limit, raised to twice the configured one (64 KiB)
    [InlineData(300, 16)]        // over Kestrel's 200
    public async Task Header_floods_beyond_the_servers_own_limits_get_its_bare_431_and_nothing_is_forwarded(int count, int size)
    {
        var path = $"/site/{Guid.NewGuid():N}/flood.png";
        var (head, body) = await SendFloodAsync(path, count, size);

        Assert.StartsWith("HTTP/1.1 431", head, StringComparison.Ordinal);
        Assert.DoesNotContain("problem+json", head, StringComparison.Ordinal);
        Assert.Equal("", body);
        Assert.Empty(_upstream.Received(path));
        using var http = new HttpClient { BaseAddress = _gateway.Address };
        Assert.Equal("Healthy", await http.GetStringAsync("/healthz"));
    }

    /// <summary>Sends a PUT with <paramref name="count"/> extra headers of <paramref name="size"/> bytes; reads the answer to the end.</summary>
    private async Task<(string Head, string Body)> SendFloodAsync(string path, int count, int size)
    {
        var headers = string.Concat(Enumerable.Range(0, count).Select(i => $"X-Flood-{i}: {new string('a', size)}\r\n"));
        var request = Encoding.ASCII.GetBytes($"PUT {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Content-Type: image/png\r\nContent-Length: 4\r\n\r\nabcd");

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_gateway.Address.Host, _gateway.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request);
        // Both refusals close the connection: read until the server does.
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer).WaitAsync(TimeSpan.FromSeconds(30));
        var text = Encoding.UTF8.GetString(answer.ToArray());
        int split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no complete answer: {text}");
        var (head, body) = (text[..split], text[(split + 4)..]);
        return (head, head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(body) : body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        for (int at = 0; ;)
        {
            int line = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            int size = Convert.ToInt32(chunked[at..line], 16);
            if (size == 0) return body.ToString();
            body.Append(chunked, line + 2, size);
            at = line + 2 + size + 2;
        }
    }

    /// <summary>Sends a request that stops short, then closes the socket; returns its path.</summary>
    private async Task<string> SendAndCloseAsync(string method, string contentType, string framing, byte[] body, bool endHeaders = true)
    {
        var path = $"/site/{Guid.NewGuid():N}/cut";
        var head = $"{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {contentType}\r\n{framing}" + (endHeaders ? "\r\n" : "");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_gateway.Address.Host, _gateway.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
        await Task.Delay(50);
        tcp.Client.LingerState = new LingerOption(true, 0);   // reset, as a crashed client or a dropped network would
        tcp.Close();
        return path;
    }

    /// <summary>Waits (bounded) until no upload is in flight and no request bytes are held.</summary>
    private static async Task SettleAsync(HttpClient http)
    {
        (double InFlight, double Buffered) gauges = (-1, -1);
        for (int i = 0; i < 150; i++)
        {
            gauges = await MetricsAsync(http);
            if (gauges is (0, 0)) return;
            await Task.Delay(200);
        }
        Assert.Fail($"after 30 s: {gauges.InFlight} uploads in flight, {gauges.Buffered} bytes buffered");
    }

    private static async Task<(double InFlight, double Buffered)> MetricsAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("/metrics");
        return (Gauge(text, "uploadguard_uploads_in_flight"), Gauge(text, "uploadguard_buffered_bytes"));
    }

    private static double Gauge(string metrics, string name)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        Assert.True(line is not null, $"{name} is not exported");
        return double.Parse(line!.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private int Descriptors() => Directory.GetFiles($"/proc/{_gateway.ProcessId}/fd").Length;
}
