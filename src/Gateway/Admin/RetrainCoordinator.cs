using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Hubs;
using UploadGuard.Gateway.Security;
using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// Runs one retraining at a time in the background: training (checkpointed in the job's folder), the gate against
/// the active model, and activation when the gate passes or the admin forced it. Job state lives in
/// <c>&lt;WorkPath&gt;/&lt;id&gt;/job.json</c>, so a restarted gateway resumes unfinished jobs from their last checkpoint.
/// Progress goes to admins over <see cref="AdminHub"/>.
/// </summary>
public sealed partial class RetrainCoordinator(
    IOptions<AdminOptions> options,
    IOptions<EngineOptions> engine,
    EngineState state,
    ModelActivation activation,
    IHubContext<AdminHub> hub,
    TrainingLease lease,
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

    public string WorkPath => Path.GetFullPath(options.Value.WorkPath);

    public RetrainJob? Get(string id) => _jobs.TryGetValue(id, out var job) ? job : null;

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
                TotalSteps = request.Steps,
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

    /// <summary>At start-up: load past jobs and resume the one that was interrupted.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        if (!Directory.Exists(WorkPath)) return;
        foreach (var file in Directory.EnumerateFiles(WorkPath, "job.json", SearchOption.AllDirectories))
        {
            try
            {
                var job = JsonSerializer.Deserialize<RetrainJob>(File.ReadAllBytes(file), Json);
                if (job is null) continue;
                _jobs[job.Id] = job;
                // Another instance holding the lease keeps the job waiting here until a later start.
                if (!job.IsFinished && !IsBusy && await lease.TryAcquireAsync())
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
        // A stopping gateway leaves the job unfinished on disk (resumed at the next start), not cancelled.
        _shuttingDown = true;
        if (_running is { } running)
        {
            await running.Cancel.CancelAsync();
            await Task.WhenAny(running.Run, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken));
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

    private async Task RunAsync(RetrainJob job, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(WorkPath, job.Id);
        var request = job.Request;
        try
        {
            job = Update(job with { State = RetrainState.Running });
            var training = new GeneratorTrainingOptions
            {
                DataSource = job.DataSource,
                MaxImages = request.MaxImages,
                ImageSize = request.ImageSize,
                Architecture = GeneratorArchitecture.FromTrainableName(request.Architecture),
                ProxySize = request.ProxySize,
                Epsilon = request.Epsilon,
                Steps = request.Steps,
                BatchSize = request.BatchSize,
                LearningRate = request.LearningRate,
                PseudoOwners = request.PseudoOwners,
                EpisodeSteps = request.EpisodeSteps,
                ProxyLearningRate = request.ProxyLearningRate,
                GrayProbability = request.Gray,
                Seed = request.Seed,
                CheckpointDirectory = Path.Combine(folder, "checkpoints"),
                CheckpointInterval = options.Value.CheckpointInterval,
                ModelsPath = state.Host.Registry.Root,
                Version = job.Version,
                Device = engine.Value.Device,
            };
            // Steps arrive about a second apart, so job.json is rewritten by elapsed time: never more than a few seconds
            // behind, without a file write per step.
            var lastSaved = time.GetUtcNow();
            var progress = new InlineProgress<TrainingProgress>(p =>
            {
                if (p.Phase == TrainingPhase.Resumed)
                    job = Update(job with { ResumedFromStep = p.Step, Step = p.Step });
                if (p.Phase == TrainingPhase.Training)
                {
                    var now = time.GetUtcNow();
                    bool persist = now - lastSaved >= ProgressSaveInterval;
                    if (persist)
                        lastSaved = now;
                    job = Update(job with
                    {
                        Step = p.Step,
                        TotalSteps = p.TotalSteps,
                        LossTerms = p.LossTerms,
                        ImagesPerSecond = p.ImagesPerSecond,
                        EtaSeconds = p.Eta?.TotalSeconds,
                    }, persist);
                }
            });
            using var renewal = new PeriodicTimer(TimeSpan.FromSeconds(20));
            var renewing = RenewWhileTrainingAsync(renewal, cancellationToken);
            var result = await GeneratorTrainer.TrainAsync(training, progress, cancellationToken);
            renewal.Dispose();
            await renewing;

            job = Update(job with { State = RetrainState.Evaluating, Step = job.TotalSteps, Version = result.Card.Version });
            var decision = RunGate(result.Card, job);
            bool activate = decision.Passed || request.Force;
            if (activate)
                activation.Activate(result.Card.Version);
            Update(job with { State = RetrainState.Succeeded, Gate = decision, Activated = activate });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by an admin: final. Stopped with the gateway: left as it was, to resume at the next start.
            if (!_shuttingDown)
                Update(job with { State = RetrainState.Cancelled });
        }
        catch (Exception ex)
        {
            LogFailed(job.Id, ex.Message);
            Update(job with { State = RetrainState.Failed, Error = ex.Message });
        }
        finally
        {
            await lease.ReleaseAsync();
        }
    }

    private async Task RenewWhileTrainingAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
                await lease.RenewAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private GateDecision RunGate(ModelCard candidateCard, RetrainJob job)
    {
        var photos = ImageDatasetLoader.Load(new ImageDatasetOptions
        {
            Source = job.DataSource,
            MaxImages = options.Value.GateSampleSize,
            ImageSize = ProtectionGate.ImageSize,
            Seed = job.Request.Seed + 7919,   // a different sample from the one training started with
        });
        using var surrogate = ResNet18Surrogate.LoadPretrained();
        var gate = new ProtectionGate(surrogate);
        var device = ComputeDevice.Select(engine.Value.Device);
        using var candidate = state.Host.Registry.Load(candidateCard.Version, device);
        var measuredCandidate = gate.Measure(candidate, photos, job.Request.Epsilon);
        using var lease = state.Host.Models.Acquire();
        var measuredActive = gate.Measure(lease.Model, photos, job.Request.Epsilon);
        return ProtectionGate.Decide(measuredCandidate, measuredActive, options.Value.GateMinimumPsnr);
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
        File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(job, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming retraining job {JobId} from step {Step}")]
    private partial void LogResuming(string jobId, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unreadable retraining job file {File}: {Problem}")]
    private partial void LogUnreadable(string file, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retraining job {JobId} failed: {Problem}")]
    private partial void LogFailed(string jobId, string problem);
}
