using System.Diagnostics;
using System.Text;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>A .NET program from the test folder run as its own process, waited on until its port answers.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<ChildProcess> StartAsync(string assembly, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        int port = FreePort.Next();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var process = Process.Start(start)!;
        var child = new ChildProcess(process, address);
        process.OutputDataReceived += (_, e) => { lock (child._output) child._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (child._output) child._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                // HasExited can be true before the asynchronous readers have delivered the last lines (the reason it
                // stopped); the parameterless wait returns once both streams are drained.
                process.WaitForExit();
                throw new InvalidOperationException($"{assembly} exited with {process.ExitCode}: {child.Output}");
            }
            try
            {
                await http.GetAsync(address);
                return child;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(200);
            }
        }
        await child.DisposeAsync();
        throw new TimeoutException($"{assembly} did not answer on {address}: {child.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
