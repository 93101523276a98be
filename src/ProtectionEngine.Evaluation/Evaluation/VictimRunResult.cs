namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>What one victim learned: accuracy on the clean test images, and how training went.</summary>
/// <param name="TestAccuracy">Fraction of clean test images classified right (0..1).</param>
/// <param name="FinalTrainLoss">Mean training loss of the last epoch: near 0 with a test accuracy near chance is a learned shortcut.</param>
/// <param name="TrainingTime">Building the model and its epochs, without testing.</param>
/// <param name="Elapsed">Training and testing.</param>
public sealed record VictimRunResult(double TestAccuracy, double FinalTrainLoss, double FinalTrainAccuracy, int Epochs, long Parameters, TimeSpan TrainingTime,
    TimeSpan Elapsed)
{
    public double SecondsPerEpoch => TrainingTime.TotalSeconds / Math.Max(1, Epochs);
}
