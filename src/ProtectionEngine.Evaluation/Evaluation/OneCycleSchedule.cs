namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// The one-cycle learning rate, per optimiser step, with PyTorch's <c>OneCycleLR</c> defaults written out: cosine
/// warm-up from peak/25 to the peak over the first 30 % of steps, then cosine annealing to peak/25/1e4. Momentum stays
/// at the recipe's 0.9 (OneCycleLR would also cycle it; the reference recipe did not). Written here rather than using
/// TorchSharp's scheduler so the curve is explicit, testable and independent of the optimiser object.
/// </summary>
internal sealed class OneCycleSchedule
{
    public OneCycleSchedule(double peak, long totalSteps, double warmUpFraction = 0.3, double initialDivisor = 25, double finalDivisor = 1e4)
    {
        if (totalSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "At least one step.");
        if (warmUpFraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(warmUpFraction), warmUpFraction, "The warm-up is a fraction of the steps.");
        Peak = peak;
        TotalSteps = totalSteps;
        Initial = peak / initialDivisor;
        Final = Initial / finalDivisor;
        // As PyTorch: the peak is reached at step pct * total - 1 (counted from 0).
        PeakStep = Math.Max(0, warmUpFraction * totalSteps - 1);
    }

    public double Peak { get; }

    public double Initial { get; }

    public double Final { get; }

    public long TotalSteps { get; }

    public double PeakStep { get; }

    /// <summary>The learning rate for step <paramref name="step"/> (0-based, 0 .. TotalSteps - 1).</summary>
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        double s = Math.Min(step, TotalSteps - 1);
        if (s <= PeakStep)
            return PeakStep == 0 ? Peak : Cosine(Initial, Peak, s / PeakStep);
        double last = TotalSteps - 1;
        return last <= PeakStep ? Peak : Cosine(Peak, Final, (s - PeakStep) / (last - PeakStep));
    }

    private static double Cosine(double from, double to, double progress) => to + (from - to) / 2 * (1 + Math.Cos(Math.PI * progress));
}
