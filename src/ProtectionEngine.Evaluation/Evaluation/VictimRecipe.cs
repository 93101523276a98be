namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// How every victim is trained, the same for clean and protected data (docs/evaluation.md): SGD with Nesterov momentum
/// 0.9 and weight decay 5e-4, a one-cycle learning rate peaking at 0.1, per-sample random crops from a reflect-padded
/// image (1/8 of the side) and horizontal flips, batch 128, 15 epochs.
/// </summary>
public sealed record VictimRecipe
{
    public int Epochs { get; init; } = 15;

    public int BatchSize { get; init; } = 128;

    public double PeakLearningRate { get; init; } = 0.1;

    public double Momentum { get; init; } = 0.9;

    /// <summary>
    /// TorchSharp's SGD (as PyTorch's) adds <c>decay * w</c> to every parameter's gradient before momentum: coupled L2,
    /// applied to batch-norm scales and biases too, which is what the reference recipe did.
    /// </summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Reflect padding on each side for random crops, as a fraction of the image side (4 px at 32 px).</summary>
    public double CropPadFraction { get; init; } = 1.0 / 8;

    /// <summary>Images per forward pass when testing; only memory depends on it.</summary>
    public int TestBatchSize { get; init; } = 500;

    public int CropPadding(int size) => Math.Max(1, (int)Math.Round(size * CropPadFraction));

    public void Validate()
    {
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "At least one epoch.");
        if (BatchSize < 1 || TestBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch sizes must be positive.");
        if (PeakLearningRate <= 0 || !double.IsFinite(PeakLearningRate))
            throw new ArgumentOutOfRangeException(nameof(PeakLearningRate), PeakLearningRate, "The learning rate must be positive.");
        if (CropPadFraction is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(CropPadFraction), CropPadFraction, "Crop padding must be a fraction of the side.");
    }
}
