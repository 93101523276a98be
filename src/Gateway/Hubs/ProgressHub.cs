using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using UploadGuard.Gateway.Jobs;

namespace UploadGuard.Gateway.Hubs;

/// <summary>
/// <c>/hubs/progress</c>: authenticated clients subscribe to jobs they own (or reserve a job id before uploading) and receive <c>stage</c> messages
/// (<see cref="JobEvent"/>). Ownership is checked on every subscription; groups do not survive reconnects, so
/// clients subscribe again after reconnecting (the history is replayed).
/// </summary>
[Authorize]
public sealed class ProgressHub(JobTracker jobs) : Hub
{
    public const string Path = "/hubs/progress";
    public const string StageMethod = "stage";

    /// <summary>
    /// Groups are per owner and job, so even where instances keep separate job tables (scale-out), one user's stages can
    /// never reach another user who subscribed to the same job id.
    /// </summary>
    public static string GroupOf(string owner, string jobId) => $"job:{owner}:{jobId}";

    /// <summary>
    /// Joins the job's group and returns the stages it has already reached. The group is joined before the history is
    /// read, so a stage sent in between may arrive twice but is never lost.
    /// </summary>
    public async Task<IReadOnlyList<JobEvent>> Subscribe(string jobId)
    {
        var user = Context.UserIdentifier ?? throw new HubException("Not authenticated.");
        // Reserving lets a client subscribe before it uploads (it then sends the same id in X-UploadGuard-Job).
        if (!jobs.Reserve(jobId, user))
            throw new HubException("Not your job.");
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(user, jobId));
        return jobs.HistoryFor(jobId, user)!;
    }

    public Task Unsubscribe(string jobId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(Context.UserIdentifier ?? throw new HubException("Not authenticated."), jobId));
}
