using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// The generator's loss on a batch of (transformed, perturbed) surrogate features. Logits are cosine similarities to the
/// K concept centroids divided by a temperature.
/// <list type="bullet">
/// <item><see cref="GeneratorLossKind.Shortcut"/>: cross-entropy toward the photo's own concept.</item>
/// <item><see cref="GeneratorLossKind.Misdirection"/>: cross-entropy toward the deranged target concept, plus the away
/// weight times the mean cosine to the own centroid.</item>
/// </list>
/// Terms reported: <c>loss</c>, <c>ce</c>, <c>cosOwn</c>, <c>cosTarget</c> (misdirection) and <c>hit</c>, the fraction
/// of photos whose nearest concept is the one the loss aims at.
/// </summary>
public sealed class ConceptObjective : IDisposable
{
    public const string Loss = "loss";
    public const string CrossEntropy = "ce";
    public const string CosineOwn = "cosOwn";
    public const string CosineTarget = "cosTarget";
    public const string Hit = "hit";

    private readonly Tensor center;
    private readonly Tensor centroids;
    private readonly Tensor targets;

    public ConceptObjective(ConceptClusters clusters, GeneratorLossKind kind, double temperature, double awayWeight, Device device)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        Kind = kind;
        Temperature = temperature;
        AwayWeight = awayWeight;
        int d = clusters.Center.Length;
        center = tensor(clusters.Center, device: device);
        centroids = tensor(clusters.Centroids.SelectMany(c => c).ToArray(), [clusters.K, d], device: device);
        targets = tensor(clusters.Targets.Select(t => (long)t).ToArray(), device: device);
    }

    public GeneratorLossKind Kind { get; }

    public double Temperature { get; }

    public double AwayWeight { get; }

    /// <param name="features">[B, D] surrogate features (with gradients).</param>
    /// <param name="ownConcepts">[B] int64 concept of each photo.</param>
    /// <returns>The scalar loss to minimise, and its terms as numbers.</returns>
    public (Tensor Loss, IReadOnlyDictionary<string, double> Terms) Evaluate(Tensor features, Tensor ownConcepts)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(ownConcepts);
        using var scope = NewDisposeScope();
        var cosines = functional.normalize(features - center, p: 2, dim: 1).matmul(centroids.t());
        var logits = cosines / Temperature;
        var cosOwn = cosines.gather(1, ownConcepts.unsqueeze(1)).squeeze(1).mean();
        var aim = Kind == GeneratorLossKind.Shortcut ? ownConcepts : targets.index_select(0, ownConcepts);
        var crossEntropy = functional.cross_entropy(logits, aim);
        var hit = logits.argmax(1).eq(aim).to(ScalarType.Float32).mean();

        var terms = new Dictionary<string, double>(StringComparer.Ordinal);
        Tensor loss;
        if (Kind == GeneratorLossKind.Shortcut)
        {
            loss = crossEntropy;
        }
        else
        {
            var cosTarget = cosines.gather(1, aim.unsqueeze(1)).squeeze(1).mean();
            loss = crossEntropy + AwayWeight * cosOwn;
            terms[CosineTarget] = cosTarget.item<float>();
        }
        terms[Loss] = loss.item<float>();
        terms[CrossEntropy] = crossEntropy.item<float>();
        terms[CosineOwn] = cosOwn.item<float>();
        terms[Hit] = hit.item<float>();
        return (loss.MoveToOuterDisposeScope(), terms);
    }

    public void Dispose()
    {
        center.Dispose();
        centroids.Dispose();
        targets.Dispose();
    }
}
