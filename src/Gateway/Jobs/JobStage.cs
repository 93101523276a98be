namespace UploadGuard.Gateway.Jobs;

/// <summary>Stages a protection job reports over SignalR, in order; <see cref="Failed"/> may end it at any point.</summary>
public enum JobStage
{
    Received,
    Queued,
    Protecting,
    Encoded,
    Forwarded,
    Done,
    Failed,
}
