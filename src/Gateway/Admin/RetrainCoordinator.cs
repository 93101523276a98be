using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Hubs;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Files;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// Runs one retraining at a time in a worker process (<c>uploadguard retrain</c>, see <see cref="RetrainWorker"/>): it
/// trains (checkpointed in the job's folder) and gates the result against the active model; the gateway follows its
/// events and activates the version when the gate passes or the admin forced it. Job state lives in
/// <c>&lt;WorkPath&gt;/&lt;id&gt;/job.json</c>, so a restarted gateway resumes unfinished jobs from their last checkpoint.
/// Progress goes to admins over <see cref="AdminHub"/>.
/// </summary>
/// <remarks>
/// A process, not a library call: the gateway ships no training or evaluation code, a crash or an out-of-memory kill in
/// training leaves the proxy serving, and the operating system takes back all of training's memory (docs/operations.md).
/// </remarks>
public sealed partial class RetrainCoordinator(
    IOptions<RetrainingOptions> options,
    IOptions<EngineOptions> engine,
    EngineState state,
    ModelActivation activation,
    IHubContext<AdminHub> hub,
    TrainingLease lease,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<RetrainCoordinator> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = ModelCard.JsonOptions;
    private static readonly TimeSpan ProgressSaveInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, RetrainJob> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _startGate = new();
    private (string Id, CancellationTokenSource Cancel, Task Run)? _running;
    private CancellationToken _stopping;
    private volatile bool _shuttingDown;
    private volatile RetrainWorkerProcess? _worker;

    public string WorkPath => Path.GetFullPath(options.Value.WorkPath);

    public RetrainJob? Get(string id) => _jobs.TryGetValue(id, out var job) ? job : null;

    /// <summary>The worker a job would start now; null, with what to configure, when there is none (answered 503).</summary>
    public RetrainWorker? LocateWorker(out string problem) =>
        RetrainWorker.Locate(options.Value.RetrainWorker, AppContext.BaseDirectory, out problem);

    /// <summary>A new job folder for an upload, before the job exists.</summary>
    public string NewJobFolder(out string id)
    {
        id = Guid.NewGuid().ToString("N");
        return Directory.CreateDirectory(Path.Combine(WorkPath, id)).FullName;
    }

    /// <summary>Starts a job; null when another one is running here or on another instance (answered 409).</summary>
    public async Task<RetrainJob?> TryStartAsync(string id, RetrainRequest request, string dataSource, string description, int skipped)
    {
        if (IsBusy || !await lease.TryAcquireAsync())
            return null;
        RetrainJob job;
        lock (_startGate)
        {
            if (IsBusy)
            {
                _ = lease.ReleaseAsync();
                return null;
            }
            var now = time.GetUtcNow();
            job = new RetrainJob
            {
                Id = id,
                Request = request,
                DataSource = dataSource,
                DatasetDescription = description,
                SkippedNonImages = skipped,
                // The trainer's default, when steps is left out, arrives with the worker's settings.
                TotalSteps = request.Steps ?? 0,
                Version = request.Version ?? $"retrain-{now:yyyyMMdd-HHmmss}-{id[..6]}",
                Created = now,
                Updated = now,
            };
            Save(job);
            Launch(job);
        }
        return job;
    }

    private bool IsBusy => _running is { Run.IsCompleted: false };

    public bool Cancel(string id)
    {
        lock (_startGate)
        {
            // A job that has recorded its end (cancelled, failed, succeeded) is not running even while its task is
            // still tidying up.
            if (_running is { } running && running.Id == id && !running.Run.IsCompleted && Get(id) is { IsFinished: false })
            {
                running.Cancel.Cancel();
                return true;
            }
            return false;
        }
    }

    /// <summary>At start-up: say whether retraining can run, load past jobs and resume the one that was interrupted.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        // Retraining is optional: without a worker the gateway protects as ever and POST /admin/retrain answers 503.
        bool canTrain = LocateWorker(out var problem) is not null;
        if (!canTrain)
            LogNoWorker(problem);
        if (!Directory.Exists(WorkPath)) return;
        foreach (var file in Directory.EnumerateFiles(WorkPath, "job.json", SearchOption.AllDirectories))
        {
            try
            {
                var job = JsonSerializer.Deserialize<RetrainJob>(File.ReadAllBytes(file), Json);
                if (job is null) continue;
                _jobs[job.Id] = job;
                if (job.IsFinished) continue;
                // Without a worker, or with another instance holding the lease, the job waits here for a later start.
                if (!canTrain)
                    LogNotResumed(job.Id);
                else if (!IsBusy && await lease.TryAcquireAsync())
                {
                    lock (_startGate)
                    {
                        LogResuming(job.Id, job.Step);
                        Launch(job with { State = RetrainState.Queued });
                    }
                }
            }
            catch (JsonException ex)
            {
                LogUnreadable(file, ex.Message);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A stopping gateway leaves the job unfinished on disk (resumed at the next start), not cancelled: the worker
        // writes a checkpoint and exits, or is killed after the grace period.
        _shuttingDown = true;
        if (_running is { } running)
        {
            await running.Cancel.CancelAsync();
            try
            {
                await running.Run.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host will not wait any longer: the worker must not outlive the gateway.
                _worker?.Kill();
            }
        }
        await base.StopAsync(cancellationToken);
    }

    private void Launch(RetrainJob job)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        Update(job);
        var run = Task.Run(() => RunAsync(job, cancel.Token));
        _running = (job.Id, cancel, run);
    }

    private async Task RunAsync(RetrainJob job, CancellationToken stop)
    {
        var settings = options.Value;
        var folder = Directory.CreateDirectory(Path.Combine(WorkPath, job.Id)).FullName;
        try
        {
            var worker = LocateWorker(out var problem) ?? throw new InvalidOperationException(problem);
            job = Update(job with { State = RetrainState.Running });
            var start = worker.StartInfo(WriteWork(job, folder), folder);
            string jobId = job.Id;
            using var process = RetrainWorkerProcess.Start(start, line => LogWorkerError(jobId, line));
            _worker = process;
            LogWorkerStarted(jobId, process.Id, worker.Path);
            await using var stopping = stop.Register(() => process.RequestStop(settings.RetrainWorkerGracePeriod));
            using var renewal = new PeriodicTimer(TimeSpan.FromSeconds(20));
            var renewing = RenewWhileTrainingAsync(renewal);

            GateVerdict? gate = null;
            string? error = null;
            // Steps arrive about a second apart, so job.json is rewritten by elapsed time: never more than a few seconds
            // behind, without a file write per step.
            var lastSaved = time.GetUtcNow();
            await foreach (var e in process.ReadEventsAsync(line => LogNotAnEvent(jobId, line)))
            {
                switch (e.Event)
                {
                    case RetrainWorkerEvent.Started:
                        job = Update(job with { Settings = e.Settings, TotalSteps = StepsIn(e.Settings) ?? job.TotalSteps });
                        break;
                    case RetrainWorkerEvent.Progress when string.Equals(e.Phase, "resumed", StringComparison.OrdinalIgnoreCase):
                        job = Update(job with { ResumedFromStep = e.Step, Step = e.Step });
                        break;
                    case RetrainWorkerEvent.Progress when string.Equals(e.Phase, "training", StringComparison.OrdinalIgnoreCase):
                        var now = time.GetUtcNow();
                        bool persist = now - lastSaved >= ProgressSaveInterval;
                        if (persist)
                            lastSaved = now;
                        job = Update(job with
                        {
                            Step = e.Step,
                            TotalSteps = e.TotalSteps,
                            LossTerms = e.LossTerms ?? [],
                            ImagesPerSecond = e.ImagesPerSecond,
                            EtaSeconds = e.EtaSeconds,
                        }, persist);
                        break;
                    case RetrainWorkerEvent.Trained:
                        job = Update(job with { State = RetrainState.Evaluating, Step = job.TotalSteps, Version = e.Version ?? job.Version });
                        break;
                    case RetrainWorkerEvent.Gate:
                        gate = e.Verdict;
                        break;
                    case RetrainWorkerEvent.Cancelled:
                        // The step its checkpoint holds, saved for the restart that resumes there.
                        job = Update(job with { Step = e.Step });
                        break;
                    case RetrainWorkerEvent.Failed:
                        error = e.Error;
                        break;
                }
            }
            int exitCode = await process.WaitForExitAsync();
            renewal.Dispose();
            await renewing;

            if (exitCode == 0 && gate is not null)
            {
                bool activate = gate.Passed || job.Request.Force;
                if (activate)
                    activation.Activate(job.Version!);
                Update(job with { State = RetrainState.Succeeded, Gate = gate, Activated = activate });
            }
            else if (error is null && (process.StopRequested || exitCode == RetrainWorkerProcess.CancelledExitCode))
            {
                // Cancelled by an admin: final. Stopped with the gateway: left as it was, to resume at the next start. A
                // worker stopped by a signal from outside (Ctrl+C reaches the whole process group) counts as the latter
                // when the gateway is going down too.
                if (!_shuttingDown && !lifetime.ApplicationStopping.IsCancellationRequested)
                    Update(job with { State = RetrainState.Cancelled });
            }
            else
            {
                string tail = process.StderrTail;
                string message = error
                    ?? (exitCode == 0 ? "The retraining worker ended without a gate verdict." : $"The retraining worker exited with code {exitCode}.")
                    + (error is null && tail.Length > 0 ? $" Its last output: {tail}" : "");
                LogFailed(job.Id, message);
                Update(job with { State = RetrainState.Failed, Error = message });
            }
        }
        catch (Exception ex)
        {
            string message = ex is Win32Exception ? $"The retraining worker could not be started: {ex.Message}" : ex.Message;
            LogFailed(job.Id, message);
            Update(job with { State = RetrainState.Failed, Error = message });
        }
        finally
        {
            _worker = null;
            await lease.ReleaseAsync();
        }
    }

    private static long? StepsIn(JsonElement? settings) =>
        settings is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("steps", out var steps) && steps.TryGetInt64(out var n) ? n : null;

    /// <summary>The job's work file for the worker, rewritten at each launch (a resumed job may run under newer settings).</summary>
    private string WriteWork(RetrainJob job, string folder)
    {
        var request = job.Request;
        var settings = options.Value;
        var work = new RetrainWork(request, job.DataSource, state.Host.Registry.Root, Path.Combine(folder, "checkpoints"),
            settings.CheckpointInterval, engine.Value.Device, settings.GateSampleSize, settings.GateMinimumPsnr)
        {
            Version = job.Version,
        };
        var path = Path.Combine(folder, "work.json");
        File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(work, Json));
        return path;
    }

    private async Task RenewWhileTrainingAsync(PeriodicTimer timer)
    {
        // Ends when the timer is disposed, after the worker has exited.
        while (await timer.WaitForNextTickAsync())
            await lease.RenewAsync();
    }

    private RetrainJob Update(RetrainJob job, bool persist = true)
    {
        job = job with { Updated = time.GetUtcNow() };
        _jobs[job.Id] = job;
        if (persist || job.IsFinished) Save(job);
        _ = hub.Clients.All.SendAsync(AdminHub.TrainingMethod, job);
        return job;
    }

    private void Save(RetrainJob job)
    {
        var folder = Directory.CreateDirectory(Path.Combine(WorkPath, job.Id)).FullName;
        var path = Path.Combine(folder, "job.json");
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(job, Json));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retraining is unavailable (POST /admin/retrain answers 503); protection is not affected. {Problem}")]
    private partial void LogNoWorker(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retraining job {JobId} is unfinished and stays so until a gateway with a retraining worker starts")]
    private partial void LogNotResumed(string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming retraining job {JobId} from step {Step}")]
    private partial void LogResuming(string jobId, long step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining job {JobId} runs in worker process {ProcessId} ({Worker})")]
    private partial void LogWorkerStarted(string jobId, int processId, string worker);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining worker of job {JobId}: {Line}")]
    private partial void LogWorkerError(string jobId, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retraining worker of job {JobId} wrote a line that is no event: {Line}")]
    private partial void LogNotAnEvent(string jobId, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unreadable retraining job file {File}: {Problem}")]
    private partial void LogUnreadable(string file, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retraining job {JobId} failed: {Problem}")]
    private partial void LogFailed(string jobId, string problem);
}
