using System.Diagnostics;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Bench.Training;

/// <summary>
/// Runs <see cref="GeneratorTrainer"/> for a few steps at one training size, exactly as <c>uploadguard train</c> does
/// (the same defaults: the owner texture's min-min against stand-in victims), into a scratch registry, and reads its throughput: images per
/// second = batch size / mean step time, the trainer's own measure, which drops the first (warm-up) step.
/// </summary>
public static class TrainingThroughput
{
    /// <param name="FirstStepSeconds">Until the first step ended: reading the photos and the warm-up step.</param>
    /// <param name="StepsTimed">Steps in the mean (all but the first).</param>
    public sealed record Result(int Size, int ProxySize, int Images, int Batch, long StepsTimed, double MeanStepSeconds, double ImagesPerSecond, double FirstStepSeconds, double TotalSeconds);

    public static async Task<Result> MeasureAsync(GeneratorTrainingOptions options, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        double? firstStepAt = null;
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TrainingPhase.Training && firstStepAt is null)
                firstStepAt = clock.Elapsed.TotalSeconds;
            if (p.Phase == TrainingPhase.Training && (p.Step % 10 == 0 || p.Step == p.TotalSteps))
                log($"{options.ImageSize} px: step {p.Step}/{p.TotalSteps}, {p.ImagesPerSecond:0.0} images/s (smoothed), loss {p.SmoothedLoss:0.000}");
        });
        var result = await GeneratorTrainer.TrainAsync(options, progress);
        var mean = result.MeanStepTime ?? throw new InvalidOperationException("At least two steps are needed: the first is warm-up and is not timed.");
        return new Result(options.ImageSize, options.ProxySize, result.Dataset.Kept, options.BatchSize, result.StepsRun - 1,
            mean.TotalSeconds, options.BatchSize / mean.TotalSeconds, firstStepAt ?? double.NaN, result.Elapsed.TotalSeconds);
    }
}
