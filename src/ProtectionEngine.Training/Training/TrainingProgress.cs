namespace UploadGuard.ProtectionEngine.Training;

/// <summary>One progress report of <see cref="GeneratorTrainer.TrainAsync"/>.</summary>
/// <param name="Phase">What is happening.</param>
/// <param name="Step">Training steps done (in <see cref="TrainingPhase.Training"/>); see <see cref="TrainingPhase"/> for other phases.</param>
/// <param name="TotalSteps">The step count the run ends at; 0 where unknown.</param>
/// <param name="LossTerms">The last step's loss, the stand-in victim's accuracy (on the owned photos too, when the batch held any) and the texture's epsilon; empty before training.</param>
/// <param name="ImagesPerSecond">Training throughput, smoothed over recent steps; 0 before the first step.</param>
/// <param name="Eta">Time left for the remaining steps, when known.</param>
/// <param name="Message">A line for people (a checkpoint written, a resume, counts).</param>
/// <param name="SmoothedLoss">
/// The loss averaged over recent steps (exponential, about the last 20): single batches under random transformations
/// are too noisy to show a trend. Null before training.
/// </param>
public sealed record TrainingProgress(
    TrainingPhase Phase,
    long Step,
    long TotalSteps,
    IReadOnlyDictionary<string, double> LossTerms,
    double ImagesPerSecond,
    TimeSpan? Eta,
    string? Message = null,
    double? SmoothedLoss = null);
