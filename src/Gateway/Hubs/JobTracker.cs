using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using UploadGuard.Gateway.Jobs;

namespace UploadGuard.Gateway.Hubs;

/// <summary>
/// Knows each recent job's owner and stage history, and pushes each stage to the job's SignalR group. Subscribing
/// replays the history, so a client that subscribes after a stage was sent still sees it. Jobs are forgotten after
/// <see cref="Retention"/>.
/// </summary>
public sealed class JobTracker(IHubContext<ProgressHub> hub, TimeProvider time)
{
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private long _lastSweepTicks;

    /// <summary>
    /// Starts a job for an owner (a user name, or null for anonymous uploads nobody can subscribe to). A client may
    /// name the job itself (<paramref name="requestedId"/>, from the X-UploadGuard-Job header) so it can subscribe
    /// before uploading; the name is used only when it is free or reserved by the same owner.
    /// </summary>
    public string Start(string? owner, string? requestedId = null)
    {
        Sweep();
        var now = time.GetUtcNow();
        if (owner is not null && IsValidId(requestedId))
        {
            var job = _jobs.GetOrAdd(requestedId!, _ => new Job(owner, now));
            if (job.Owner == owner && job.TryBegin())
                return requestedId!;
        }
        var id = Guid.NewGuid().ToString("N");
        if (owner is null)
            return id;   // nobody can subscribe to an anonymous job, so nothing is kept for it
        var fresh = new Job(owner, now);
        fresh.TryBegin();
        _jobs[id] = fresh;
        return id;
    }

    /// <summary>Reserves a job name for a user before the upload starts; true if it is (now) that user's job.</summary>
    public bool Reserve(string jobId, string owner)
    {
        if (!IsValidId(jobId)) return false;
        Sweep();
        return _jobs.GetOrAdd(jobId, _ => new Job(owner, time.GetUtcNow())).Owner == owner;
    }

    public static bool IsValidId(string? id) =>
        id is { Length: >= 8 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Records a stage and sends it; sends for one job are chained so subscribers see stages in order.</summary>
    public Task PublishAsync(string jobId, JobStage stage, string? reason = null, string? detail = null)
    {
        if (!_jobs.TryGetValue(jobId, out var job)) return Task.CompletedTask;
        var evt = new JobEvent(jobId, stage, time.GetUtcNow(), reason, detail);
        lock (job.History)
        {
            job.History.Add(evt);
            job.Tail = job.Tail.ContinueWith(
                _ => hub.Clients.Group(ProgressHub.GroupOf(job.Owner, jobId)).SendAsync(ProgressHub.StageMethod, evt),
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            return job.Tail;
        }
    }

    /// <summary>The job's history if <paramref name="user"/> owns it; null when the job is unknown or someone else's.</summary>
    public IReadOnlyList<JobEvent>? HistoryFor(string jobId, string user)
    {
        if (!_jobs.TryGetValue(jobId, out var job) || !string.Equals(job.Owner, user, StringComparison.Ordinal))
            return null;
        lock (job.History) return job.History.ToList();
    }

    private void Sweep()
    {
        // At most one pass every few seconds, so a busy gateway does not walk the table on every upload.
        var now = time.GetUtcNow();
        var last = new DateTimeOffset(Interlocked.Read(ref _lastSweepTicks), TimeSpan.Zero);
        if (now - last < SweepInterval || Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last.UtcTicks) != last.UtcTicks)
            return;
        var cutoff = now - Retention;
        foreach (var (id, job) in _jobs)
        {
            if (job.Started < cutoff) _jobs.TryRemove(id, out _);
        }
    }

    private sealed record Job(string Owner, DateTimeOffset Started)
    {
        private int _begun;

        /// <summary>True once: a job (reserved or not) is bound to exactly one upload.</summary>
        public bool TryBegin() => Interlocked.Exchange(ref _begun, 1) == 0;

        public List<JobEvent> History { get; } = [];

        public Task Tail { get; set; } = Task.CompletedTask;
    }
}
