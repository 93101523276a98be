using System.Globalization;

namespace UploadGuard.Bench.Load;

/// <summary>
/// <c>load-test [--bin DIR] [--uploads 2000] [--concurrency 32] [--engine-concurrency 4] [--engine-queue 16] [--idle-seconds 0] [--out FILE]</c>:
/// starts the test upstream and a gateway (both from DIR, by default the Gateway.Tests build output) on loopback, runs
/// <see cref="LoadRun"/>, prints the reconciliation and exits 1 unless it reconciles. Where the gateway's memory is
/// (<see cref="MemorySnapshot"/>) is reported before the run, right after it and, with <c>--idle-seconds</c>, after
/// that long without traffic.
/// <c>load-test latency ...</c> compares protected uploads with plain pass-through instead (<see cref="LatencyMain"/>);
/// <c>load-test budget ...</c> sends giant decoded sizes beside ordinary uploads (<see cref="DecodeBudgetMain"/>).
/// </summary>
public static class LoadTestMain
{
    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == LatencyMain.Mode)
            return await LatencyMain.RunAsync(args);
        if (args.FirstOrDefault() == DecodeBudgetMain.Mode)
            return await DecodeBudgetMain.RunAsync(args);

        string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        int Int(string name, int fallback) => int.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var bin = Path.GetFullPath(Arg("--bin", "tests/Gateway.Tests/bin/Release/net10.0"));
        var options = new LoadOptions { Uploads = Int("--uploads", 2000), Concurrency = Int("--concurrency", 32), PathPrefix = $"/load/run{Environment.ProcessId}" };

        await using var processes = await GatewayUnderTest.StartAsync(bin, upstreamPort => new Dictionary<string, string>
        {
            ["DemoUpstream__Enabled"] = "false",
            ["ReverseProxy__Clusters__up__Destinations__one__Address"] = $"http://127.0.0.1:{upstreamPort}/",
            ["ReverseProxy__Routes__load__ClusterId"] = "up",
            ["ReverseProxy__Routes__load__Match__Path"] = "/load/{**rest}",
            ["ReverseProxy__Routes__load__Metadata__UploadGuard.Protect"] = "true",
            // The shipped model is owner-keyed: the route names its owner, as a site would.
            ["ReverseProxy__Routes__load__Metadata__UploadGuard.OwnerSources"] = "fixed",
            ["ReverseProxy__Routes__load__Metadata__UploadGuard.FixedOwner"] = "bench",
            // Low engine limits so that 32 clients meet backpressure (503 engine_busy with Retry-After).
            ["EngineResilience__MaxConcurrency"] = Arg("--engine-concurrency", "4"),
            ["EngineResilience__QueueLimit"] = Arg("--engine-queue", "16"),
            ["Logging__LogLevel__Default"] = "Warning",
        });
        var address = processes.Address;
        int pid = processes.GatewayProcessId;
        Console.WriteLine($"gateway pid {pid} ready on {address}; {options.Uploads} uploads at concurrency {options.Concurrency}");
        var memoryBefore = await MemorySnapshot.TakeAsync(pid, address);
        var run = new LoadRun(address, pid, prefix => UpstreamRecord.Read(processes.RecordFolder, prefix), options);
        var report = await run.RunAsync(Console.WriteLine);
        var gauges = await LoadRun.GaugesAsync(address);
        var memory = new List<string> { MemorySnapshot.MarkdownHeader, memoryBefore.ToMarkdownRow("before the run"),
            (await MemorySnapshot.TakeAsync(pid, address)).ToMarkdownRow("right after it") };
        if (Int("--idle-seconds", 0) is var idle and > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(idle));
            memory.Add((await MemorySnapshot.TakeAsync(pid, address)).ToMarkdownRow($"after {idle} s idle"));
        }
        var markdown = report.ToMarkdown() + $"\nAfter the run: {gauges.InFlight} uploads in flight, {gauges.Buffered} bytes buffered.\n\n"
            + string.Join('\n', memory) + "\n";
        foreach (var lost in report.Lost.Take(20)) markdown += $"\n- lost: {lost}";
        Console.WriteLine(markdown);
        if (Arg("--out", "") is { Length: > 0 } output) await File.WriteAllTextAsync(output, markdown);
        return report.Reconciled && gauges is (0, 0) ? 0 : 1;
    }
}
