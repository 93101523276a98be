using System.Runtime.InteropServices;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>A step of a benchmark run, for progress displays and logs.</summary>
/// <param name="Done">Images protected, or epochs finished, so far.</param>
/// <param name="Total">Of how many.</param>
/// <param name="Epoch">The epoch just finished (training stage).</param>
/// <param name="Run">The finished run (run-finished stage).</param>
public sealed record BenchmarkProgress(BenchmarkStage Stage, string Message, int Done = 0, int Total = 0, string? Row = null, string? Architecture = null,
    VictimEpoch? Epoch = null, BenchmarkRun? Run = null)
{
    /// <summary>A victim finished an epoch.</summary>
    public static BenchmarkProgress EpochFinished(string row, string architecture, VictimEpoch epoch) =>
        new(BenchmarkStage.Training, $"{row} / {architecture}: epoch {epoch.Epoch}/{epoch.Epochs}", epoch.Epoch, epoch.Epochs, row, architecture, epoch);

    /// <summary>A victim's training step failed in libtorch and runs once more (<see cref="LibTorchRetry"/>).</summary>
    public static BenchmarkProgress Retrying(string row, string architecture, ExternalException error) =>
        new(BenchmarkStage.Training, $"{row} / {architecture}: a step failed in libtorch ({LibTorchRetry.Describe(error)}); running it again",
            Row: row, Architecture: architecture);
}
