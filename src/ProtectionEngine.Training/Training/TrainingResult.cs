using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>What a finished training run produced.</summary>
/// <param name="Card">The card of the version saved into the registry.</param>
/// <param name="Dataset">How the training photos were read.</param>
/// <param name="ResumedFromStep">The checkpoint step the run continued from; 0 for a fresh run.</param>
/// <param name="StepsRun">Steps this call ran (total minus the resumed ones).</param>
/// <param name="FinalLossTerms">The last step's loss terms.</param>
/// <param name="Elapsed">Wall time of this call.</param>
/// <param name="MeanStepTime">Mean time of this call's steps after the first (warm-up); null with fewer than two steps.</param>
public sealed record TrainingResult(
    ModelCard Card,
    DatasetLoadStatistics Dataset,
    long ResumedFromStep,
    long StepsRun,
    IReadOnlyDictionary<string, double> FinalLossTerms,
    TimeSpan Elapsed,
    TimeSpan? MeanStepTime);
