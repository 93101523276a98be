using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace UploadGuard.Bench.Load;

/// <summary>
/// <c>load-test [--bin DIR] [--uploads 2000] [--concurrency 32] [--engine-concurrency 4] [--engine-queue 16] [--idle-seconds 0] [--out FILE]</c>:
/// starts the test upstream and a gateway (both from DIR, by default the Gateway.Tests build output) on loopback, runs
/// <see cref="LoadRun"/>, prints the reconciliation and exits 1 unless it reconciles. Where the gateway's memory is
/// (<see cref="MemorySnapshot"/>) is reported before the run, right after it and, with <c>--idle-seconds</c>, after
/// that long without traffic.
/// </summary>
public static class LoadTestMain
{
    public static async Task<int> Main(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        int Int(string name, int fallback) => int.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var bin = Path.GetFullPath(Arg("--bin", "tests/Gateway.Tests/bin/Release/net10.0"));
        var record = Directory.CreateTempSubdirectory("uploadguard-load-upstream-").FullName;
        var options = new LoadOptions { Uploads = Int("--uploads", 2000), Concurrency = Int("--concurrency", 32), PathPrefix = $"/load/run{Environment.ProcessId}" };

        int upstreamPort = FreePort(), gatewayPort = FreePort();
        using var upstream = Start(bin, "UploadGuard.TestUpstream.dll", upstreamPort, new Dictionary<string, string>(), "--record", record);
        using var gateway = Start(bin, "UploadGuard.Gateway.dll", gatewayPort, new Dictionary<string, string>
        {
            ["DemoUpstream__Enabled"] = "false",
            ["ReverseProxy__Clusters__up__Destinations__one__Address"] = $"http://127.0.0.1:{upstreamPort}/",
            ["ReverseProxy__Routes__load__ClusterId"] = "up",
            ["ReverseProxy__Routes__load__Match__Path"] = "/load/{**rest}",
            ["ReverseProxy__Routes__load__Metadata__UploadGuard.Protect"] = "true",
            // Low engine limits so that 32 clients meet backpressure (503 engine_busy with Retry-After).
            ["EngineResilience__MaxConcurrency"] = Arg("--engine-concurrency", "4"),
            ["EngineResilience__QueueLimit"] = Arg("--engine-queue", "16"),
            ["Logging__LogLevel__Default"] = "Warning",
        });
        try
        {
            var address = new Uri($"http://127.0.0.1:{gatewayPort}/");
            await WaitReadyAsync(address);
            Console.WriteLine($"gateway pid {gateway.Id} ready on {address}; {options.Uploads} uploads at concurrency {options.Concurrency}");
            var memoryBefore = await MemorySnapshot.TakeAsync(gateway.Id, address);
            var run = new LoadRun(address, gateway.Id, prefix => UpstreamRecord.Read(record, prefix), options);
            var report = await run.RunAsync(Console.WriteLine);
            var gauges = await LoadRun.GaugesAsync(address);
            var memory = new List<string> { MemorySnapshot.MarkdownHeader, memoryBefore.ToMarkdownRow("before the run"),
                (await MemorySnapshot.TakeAsync(gateway.Id, address)).ToMarkdownRow("right after it") };
            if (Int("--idle-seconds", 0) is var idle and > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(idle));
                memory.Add((await MemorySnapshot.TakeAsync(gateway.Id, address)).ToMarkdownRow($"after {idle} s idle"));
            }
            var markdown = report.ToMarkdown() + $"\nAfter the run: {gauges.InFlight} uploads in flight, {gauges.Buffered} bytes buffered.\n\n"
                + string.Join('\n', memory) + "\n";
            foreach (var lost in report.Lost.Take(20)) markdown += $"\n- lost: {lost}";
            Console.WriteLine(markdown);
            if (Arg("--out", "") is { Length: > 0 } output) await File.WriteAllTextAsync(output, markdown);
            return report.Reconciled && gauges is (0, 0) ? 0 : 1;
        }
        finally
        {
            foreach (var process in new[] { gateway, upstream })
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            Directory.Delete(record, recursive: true);
        }
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
