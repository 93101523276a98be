using UploadGuard.Gateway.Jobs;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Hubs;

/// <summary>Turns engine progress into job stages, publishing each stage once even when a request holds several images.</summary>
public sealed class JobProgress(JobTracker jobs, string jobId) : IProgress<ProtectionProgress>
{
    private readonly Lock _gate = new();
    private JobStage? _reached;

    public void Report(ProtectionProgress value)
    {
        JobStage stage;
        switch (value.Stage)
        {
            case ProtectionStage.Queued: stage = JobStage.Queued; break;
            case ProtectionStage.Protecting: stage = JobStage.Protecting; break;
            default: return;
        }
        lock (_gate)
        {
            if (_reached >= stage) return;
            _reached = stage;
        }
        _ = jobs.PublishAsync(jobId, stage);
    }
}
