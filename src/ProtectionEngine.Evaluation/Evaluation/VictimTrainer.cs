using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// Trains one victim from scratch with the <see cref="VictimRecipe"/> and tests it on clean images. The seed fixes the
/// initial weights, the batch order and every crop and flip, so a clean and a protected run differ only in the pixels
/// of the training images.
/// </summary>
public static class VictimTrainer
{
    // A fixed affine map to roughly zero mean and unit spread; batch norm makes the exact statistics immaterial, and a
    // constant keeps clean and protected runs on the same input scale.

    public static VictimRunResult Train(VictimArchitecture architecture, LabeledImages train, LabeledImages test, VictimRecipe recipe, int seed,
        Device device, IProgress<VictimEpoch>? progress = null, Action<ExternalException>? retrying = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (train.Size != test.Size)
            throw new ArgumentException($"Training images are {train.Size} px but test images {test.Size} px.", nameof(test));
        if (!train.Classes.SequenceEqual(test.Classes))
            throw new ArgumentException("Training and test images must share one class list.", nameof(test));

        var clock = Stopwatch.StartNew();
        var (model, fitted) = Fit(architecture, train, recipe, seed, device, progress, retrying, cancellationToken);
        using (model)
        {
            var trainingTime = clock.Elapsed;
            double accuracy = Accuracy(model, test, recipe.TestBatchSize, device, cancellationToken);
            return fitted with { TestAccuracy = accuracy, TrainingTime = trainingTime, Elapsed = clock.Elapsed };
        }
    }

    /// <summary>
    /// Trains a victim with the recipe and hands it back (in evaluation mode) with how training went; its test fields
    /// are NaN and zero. What <see cref="Train"/> tests, and what the identity benchmark trains.
    /// </summary>
    public static (nn.Module<Tensor, Tensor> Model, VictimRunResult Training) Fit(VictimArchitecture architecture, LabeledImages train, VictimRecipe recipe,
        int seed, Device device, IProgress<VictimEpoch>? progress = null, Action<ExternalException>? retrying = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();

        var clock = Stopwatch.StartNew();
        var model = VictimArchitectures.Create(architecture, train.Classes.Count);
        using (var initialisation = new TorchSharp.torch.Generator(unchecked((ulong)seed)))
            VictimInitialisation.Apply(model, initialisation);
        model.to(device);
        try
        {
            long parameters = model.parameters().Sum(p => p.numel());
            using var optimizer = optim.SGD(model.parameters(), recipe.PeakLearningRate, momentum: recipe.Momentum,
                weight_decay: recipe.WeightDecay, nesterov: true);

            int stepsPerEpoch = (train.Count + recipe.BatchSize - 1) / recipe.BatchSize;
            var schedule = new OneCycleSchedule(recipe.PeakLearningRate, (long)stepsPerEpoch * recipe.Epochs);
            int padding = recipe.CropPadding(train.Size);
            var rng = new Random(seed);
            var order = Enumerable.Range(0, train.Count).ToArray();
            long step = 0;
            double lastLoss = double.NaN, lastAccuracy = double.NaN;
            for (int epoch = 1; epoch <= recipe.Epochs; epoch++)
            {
                model.train();
                rng.Shuffle(order);
                double lossSum = 0, lr = 0;
                long correct = 0;
                for (int first = 0; first < order.Length; first += recipe.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var indices = order[first..Math.Min(order.Length, first + recipe.BatchSize)];
                    lr = schedule.At(step++);
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = lr;

                    // The crops and flips are drawn once, outside the retried step, so that a retry sees the same
                    // batch and the seed's later draws do not move.
                    var images = RandomCropFlip.Apply(train.Images(indices), padding, rng).to(device);
                    var labels = train.Labels(indices, device);
                    var (value, batchCorrect) = Step(model, optimizer, images, labels, retrying);
                    if (!double.IsFinite(value))
                        throw new InvalidOperationException($"The victim's loss is {value} at epoch {epoch}; the recipe diverged.");
                    lossSum += value * indices.Length;
                    correct += batchCorrect;
                }
                lastLoss = lossSum / train.Count;
                lastAccuracy = (double)correct / train.Count;
                var finished = new VictimEpoch(epoch, recipe.Epochs, lastLoss, lastAccuracy, lr, clock.Elapsed);
                progress?.Report(finished);
            }

            model.eval();
            return (model, new VictimRunResult(double.NaN, lastLoss, lastAccuracy, recipe.Epochs, parameters, clock.Elapsed, clock.Elapsed));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One SGD step on a batch: its mean loss and how many of its images the model got right before the update. A step
    /// that fails in libtorch runs once more (<see cref="LibTorchRetry"/>) and is reported to <paramref name="retrying"/>.
    /// </summary>
    internal static (double Loss, long Correct) Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor images, Tensor labels,
        Action<ExternalException>? retrying) => LibTorchRetry.Run(() =>
        {
            var logits = model.call(VictimInput.Normalise(images));
            var loss = nn.functional.cross_entropy(logits, labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            return ((double)loss.item<float>(), logits.argmax(1).eq(labels).sum().item<long>());
        }, error => retrying?.Invoke(error));

    /// <summary>Fraction of <paramref name="images"/> the model classifies right, in evaluation mode (batch-norm running statistics).</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, LabeledImages images, int batchSize, Device device, CancellationToken cancellationToken = default)
    {
        var predictions = Predict(model, images, batchSize, device, cancellationToken);
        return (double)Enumerable.Range(0, images.Count).Count(i => predictions[i] == images.Label(i)) / images.Count;
    }

    /// <summary>The class the model gives each of <paramref name="images"/>, in evaluation mode.</summary>
    public static int[] Predict(nn.Module<Tensor, Tensor> model, LabeledImages images, int batchSize, Device device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        model.eval();
        using var noGrad = no_grad();
        var predictions = new int[images.Count];
        for (int first = 0; first < images.Count; first += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(first, Math.Min(batchSize, images.Count - first)).ToArray();
            var classes = model.call(VictimInput.Normalise(images.Images(indices, device))).argmax(1).cpu().to(ScalarType.Int64).data<long>().ToArray();
            for (int i = 0; i < indices.Length; i++)
                predictions[first + i] = (int)classes[i];
        }
        return predictions;
    }
}
