using TorchSharp;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Evaluation.Victims;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.Bench.Pgd;

/// <summary>
/// A from-scratch ResNet-20 trained with the victims' own recipe (<see cref="VictimTrainer.Fit"/>) to predict each
/// photo's k-means concept from the photo at the victim's size: a stand-in for the attacker's network that, unlike
/// the ImageNet surrogate, sees photos at the scale and with the augmentation the attacker trains on, and knows no
/// labels. Adversarial poisons (Fowl et al. 2021) are crafted against such a network: each photo's fine detail is
/// moved toward what this network takes for another concept (or, with <see cref="GeneratorLossKind.Shortcut"/>,
/// toward its own).
/// </summary>
public sealed class CraftingNetwork : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> network;
    private readonly Tensor aims;

    private CraftingNetwork(nn.Module<Tensor, Tensor> network, Tensor aims, int size, double conceptAccuracy)
    {
        this.network = network;
        this.aims = aims;
        Size = size;
        TrainingAccuracy = conceptAccuracy;
    }

    /// <summary>The side the network sees photos at: the victim's.</summary>
    public int Size { get; }

    /// <summary>Its accuracy on the concepts in its last training epoch (augmented photos).</summary>
    public double TrainingAccuracy { get; }

    /// <param name="images">The photos to protect, at any size (shrunk to <paramref name="size"/> for the network).</param>
    /// <param name="clusters">Their concepts; <see cref="ConceptClusters.Targets"/> gives each concept's misdirection target.</param>
    public static CraftingNetwork Train(LabeledImages images, ConceptClusters clusters, GeneratorLossKind objective, int size, int epochs, int seed, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(log);
        var small = new List<byte[]>(images.Count);
        for (int first = 0; first < images.Count; first += 64)
        {
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(first, Math.Min(64, images.Count - first)).ToArray();
            var levels = View(images.Images(indices), size).mul_(255).round_().clamp_(0, 255).to(ScalarType.Byte);
            for (int k = 0; k < indices.Length; k++)
                small.Add(levels[k].contiguous().data<byte>().ToArray());
        }
        var concepts = new LabeledImages(size, small, clusters.Assignments, [.. Enumerable.Range(0, clusters.K).Select(k => $"concept-{k}")]);
        var recipe = new VictimRecipe { Epochs = epochs };
        var (network, training) = VictimTrainer.Fit(VictimArchitecture.ResNet20, concepts, recipe, seed, CPU,
            new InlineProgress<VictimEpoch>(e => log(FormattableString.Invariant($"crafting network epoch {e.Epoch}/{e.Epochs}: loss {e.MeanLoss:0.000}, concept accuracy {e.TrainAccuracy:P1}"))));
        foreach (var parameter in network.parameters())
            parameter.requires_grad_(false);
        var aims = objective == GeneratorLossKind.Shortcut
            ? arange(clusters.K, dtype: ScalarType.Int64)
            : tensor(clusters.Targets.Select(t => (long)t).ToArray());
        return new CraftingNetwork(network, aims, size, training.FinalTrainAccuracy);
    }

    /// <summary>Cross-entropy of the network's logits on the photos (at its size) toward each photo's aimed concept.</summary>
    public Tensor Loss(Tensor images, Tensor concepts)
    {
        using var scope = NewDisposeScope();
        var logits = network.call(VictimTrainer.Normalise(View(images, Size)));
        return functional.cross_entropy(logits, aims.index_select(0, concepts)).MoveToOuterDisposeScope();
    }

    /// <summary>The fraction of the photos the network puts in their aimed concept.</summary>
    public double Hit(Tensor images, Tensor concepts)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logits = network.call(VictimTrainer.Normalise(View(images, Size)));
        return logits.argmax(1).eq(aims.index_select(0, concepts)).to(ScalarType.Float32).mean().item<float>();
    }

    private static Tensor View(Tensor images, int size) =>
        images.shape[2] == size && images.shape[3] == size
            ? images
            : functional.interpolate(images, [size, size], mode: InterpolationMode.Bilinear, align_corners: false, antialias: images.shape[2] > size);

    public void Dispose()
    {
        network.Dispose();
        aims.Dispose();
    }
}
