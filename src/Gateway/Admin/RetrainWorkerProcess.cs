using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// A running retraining worker: its events as it reports them, a request to stop (a <c>cancel</c> line, then a kill of
/// its whole process tree if it has not exited within the grace period) and the last lines of its standard error.
/// </summary>
public sealed class RetrainWorkerProcess : IDisposable
{
    /// <summary>The worker's exit code when it stopped on request, at a checkpoint.</summary>
    public const int CancelledExitCode = 3;

    private const int StderrTailLines = 20;

    private static readonly JsonSerializerOptions Json = new(ModelCard.JsonOptions) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly Process _process;
    private readonly Task _exited;
    private readonly Queue<string> _stderrTail = new();
    private int _stopRequested;

    private RetrainWorkerProcess(Process process, Action<string> stderrLine)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderrTail)
            {
                _stderrTail.Enqueue(e.Data);
                if (_stderrTail.Count > StderrTailLines) _stderrTail.Dequeue();
            }
            stderrLine(e.Data);
        };
        process.BeginErrorReadLine();
        _exited = process.WaitForExitAsync();
    }

    /// <exception cref="Win32Exception">The program cannot be started.</exception>
    public static RetrainWorkerProcess Start(ProcessStartInfo start, Action<string> stderrLine) =>
        new(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start."), stderrLine);

    public int Id => _process.Id;

    public bool StopRequested => Volatile.Read(ref _stopRequested) == 1;

    public string StderrTail
    {
        get { lock (_stderrTail) return string.Join(Environment.NewLine, _stderrTail); }
    }

    /// <summary>
    /// Events until the worker closes its standard output; lines that are no event go to <paramref name="ignored"/>. Not
    /// cancellable: a stop is asked of the worker (<see cref="RequestStop"/>), whose exit ends the stream.
    /// </summary>
    public async IAsyncEnumerable<RetrainWorkerEvent> ReadEventsAsync(Action<string> ignored)
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            RetrainWorkerEvent? parsed = null;
            try
            {
                parsed = line.StartsWith('{') ? JsonSerializer.Deserialize<RetrainWorkerEvent>(line, Json) : null;
            }
            catch (JsonException)
            {
            }
            if (parsed is not null)
                yield return parsed;
            else
                ignored(line);
        }
    }

    /// <summary>The exit code, once the worker has exited and its output is read.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _exited;
        return _process.ExitCode;
    }

    /// <summary>Asks the worker to stop at a checkpoint; kills it if it is still running after <paramref name="grace"/>.</summary>
    public void RequestStop(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1) return;
        try
        {
            _process.StandardInput.WriteLine("cancel");
            _process.StandardInput.Flush();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // It has exited already and closed its end of the pipe.
        }
        _ = KillAfterAsync(grace);
    }

    private async Task KillAfterAsync(TimeSpan grace)
    {
        if (await Task.WhenAny(_exited, Task.Delay(grace)) != _exited)
            Kill();
    }

    /// <summary>Ends the worker and whatever it started, now.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException or ObjectDisposedException)
        {
            // Gone already.
        }
    }

    public void Dispose()
    {
        // A worker outliving its job would train on with no one reading it.
        if (!_exited.IsCompleted)
            Kill();
        _process.Dispose();
    }
}
