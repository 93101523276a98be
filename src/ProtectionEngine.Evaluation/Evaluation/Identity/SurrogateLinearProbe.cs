using TorchSharp;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Evaluation.Concepts;

namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>
/// An attacker who trains no network: a linear classifier (multinomial logistic regression) on the frozen, ImageNet-
/// pretrained ResNet-18 surrogate's features of the face crops. A perturbation that a from-scratch network learns as a
/// shortcut need not move a pretrained network's features, so this is expected not to be stopped; the benchmark
/// measures by how much.
/// </summary>
public static class SurrogateLinearProbe
{
    public const string Name = "linear-probe";

    /// <summary>The surrogate sees the crops at this size (a multiple of its 32).</summary>
    public const int FeatureSize = 128;

    private const int Epochs = 300;
    private const double LearningRate = 0.01;
    private const double WeightDecay = 1e-3;

    /// <returns>The predicted class of every test image, and the classifier's accuracy on its training set.</returns>
    public static (int[] Predictions, double TrainAccuracy) Fit(LabeledImages train, LabeledImages test, int seed, Device device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        using var surrogate = ResNet18Surrogate.LoadPretrained();
        surrogate.to(device);
        using var scope = NewDisposeScope();
        var trainFeatures = Features(surrogate, train, device, cancellationToken);
        var testFeatures = Features(surrogate, test, device, cancellationToken);
        var mean = trainFeatures.mean([0], keepdim: true);
        var spread = trainFeatures.std([0], keepdim: true) + 1e-6;
        trainFeatures = (trainFeatures - mean) / spread;
        testFeatures = (testFeatures - mean) / spread;
        var labels = train.Labels(Enumerable.Range(0, train.Count).ToArray(), device);

        using var random = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        var weights = nn.Parameter((randn([ResNet18Surrogate.FeatureCount, train.Classes.Count], generator: random) * 0.01).to(device));
        var bias = nn.Parameter(zeros([train.Classes.Count], device: device));
        using var optimizer = optim.Adam([weights, bias], LearningRate, weight_decay: WeightDecay);
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            var loss = nn.functional.cross_entropy(trainFeatures.matmul(weights) + bias, labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        using var noGrad = no_grad();
        double trainAccuracy = (trainFeatures.matmul(weights) + bias).argmax(1).eq(labels).to(float32).mean().item<float>();
        var predictions = (testFeatures.matmul(weights) + bias).argmax(1).cpu().to(ScalarType.Int64).data<long>().Select(p => (int)p).ToArray();
        return (predictions, trainAccuracy);
    }

    private static Tensor Features(ResNet18Surrogate surrogate, LabeledImages images, Device device, CancellationToken cancellationToken) =>
        SurrogateFeatures.Extract(surrogate, images.Count, indices => images.Images(indices, device), FeatureSize, 64, cancellationToken: cancellationToken).to(device);
}
