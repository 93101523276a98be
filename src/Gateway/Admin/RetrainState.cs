namespace UploadGuard.Gateway.Admin;

public enum RetrainState
{
    Queued,
    Running,
    Evaluating,
    Succeeded,
    Failed,
    Cancelled,
}
