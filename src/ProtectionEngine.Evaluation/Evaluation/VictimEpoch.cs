namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>One finished epoch of a victim run.</summary>
/// <param name="MeanLoss">Mean cross-entropy over the epoch's (augmented) training batches.</param>
/// <param name="TrainAccuracy">Fraction of the epoch's augmented training images classified right while training.</param>
public sealed record VictimEpoch(int Epoch, int Epochs, double MeanLoss, double TrainAccuracy, double LastLearningRate, TimeSpan Elapsed);
