namespace UploadGuard.Gateway.Jobs;

/// <summary>One stage of one job, as sent to its subscribers.</summary>
/// <param name="Reason">For <see cref="JobStage.Failed"/> (and unprotected fail-open uploads): the reason code.</param>
public sealed record JobEvent(string JobId, JobStage Stage, DateTimeOffset At, string? Reason = null, string? Detail = null);
