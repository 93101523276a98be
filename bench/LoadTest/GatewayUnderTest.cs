using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace UploadGuard.Bench.Load;

/// <summary>
/// The recording test upstream (tests/TestUpstream) and a gateway process in front of it, both started from one build
/// folder (by default the Gateway.Tests build output, which holds both) on free loopback ports; disposing stops both and
/// deletes what the upstream recorded.
/// </summary>
public sealed class GatewayUnderTest : IAsyncDisposable
{
    private readonly Process upstream;
    private readonly Process gateway;

    private GatewayUnderTest(Process upstream, Process gateway, Uri address, string recordFolder)
    {
        this.upstream = upstream;
        this.gateway = gateway;
        Address = address;
        RecordFolder = recordFolder;
    }

    public Uri Address { get; }

    public int GatewayProcessId => gateway.Id;

    /// <summary>Where the upstream writes every request it receives (see <see cref="UpstreamRecord"/>).</summary>
    public string RecordFolder { get; }

    /// <param name="bin">Folder holding UploadGuard.Gateway.dll and UploadGuard.TestUpstream.dll.</param>
    /// <param name="gatewayEnvironment">The gateway's configuration (environment variables), given the upstream's port.</param>
    public static async Task<GatewayUnderTest> StartAsync(string bin, Func<int, Dictionary<string, string>> gatewayEnvironment)
    {
        ArgumentNullException.ThrowIfNull(gatewayEnvironment);
        var record = Directory.CreateTempSubdirectory("uploadguard-load-upstream-").FullName;
        int upstreamPort = FreePort(), gatewayPort = FreePort();
        var upstream = Start(bin, "UploadGuard.TestUpstream.dll", upstreamPort, [], "--record", record);
        var gateway = Start(bin, "UploadGuard.Gateway.dll", gatewayPort, gatewayEnvironment(upstreamPort));
        var started = new GatewayUnderTest(upstream, gateway, new Uri($"http://127.0.0.1:{gatewayPort}/"), record);
        try
        {
            await WaitReadyAsync(started.Address);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>Deletes what the upstream recorded so far (call between phases, when no request is in flight).</summary>
    public void ClearRecords()
    {
        foreach (var file in Directory.EnumerateFiles(RecordFolder))
            File.Delete(file);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { gateway, upstream })
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        Directory.Delete(RecordFolder, recursive: true);
    }

    private static Process Start(string bin, string assembly, int port, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(bin, assembly));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{assembly}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(Uri gateway)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (int i = 0; i < 600; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri(gateway, "/readyz"))).IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The gateway never became ready.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
