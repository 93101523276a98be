using TorchSharp;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>
/// The <c>concept-block</c> row: <see cref="ClassWiseNoise"/>'s block patterns keyed by k-means concepts of the
/// ResNet-18 surrogate's features instead of by class, so no label is used. It measures what a protector that picks a
/// fixed pattern per surrogate concept (as Unlearnable Clusters does) could reach at best on a data set, and how well the
/// concepts line up with the classes an attacker trains on (<see cref="ConceptNoiseResult.Purity"/>).
/// </summary>
internal static class ConceptNoise
{
    /// <summary>The surrogate sees every photo at this size, as the trainer's 112-px runs do (a multiple of 32).</summary>
    public const int SurrogateSize = 128;

    private const int Batch = 32;

    /// <summary>The surrogate's features of the training photos, [N, 512] on the CPU, at <see cref="SurrogateSize"/>.</summary>
    /// <param name="photos">The training photos at the size they are protected at.</param>
    public static Tensor Features(LabeledImages photos, Device device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(photos);
        using var surrogate = ResNet18Surrogate.LoadPretrained();
        surrogate.to(device);
        return SurrogateFeatures.Extract(surrogate, photos.Count, indices => photos.Images(indices, device), SurrogateSize, Batch,
            cancellationToken: cancellationToken);
    }

    /// <param name="features">The photos' surrogate features (<see cref="Features"/>).</param>
    /// <param name="clean">The same photos at the victim's size (the noise is added to these).</param>
    public static ConceptNoiseResult Apply(Tensor features, LabeledImages clean, int concepts, int epsilon, int blockSize, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(clean);
        if (features.shape[0] != clean.Count)
            throw new ArgumentException("The features and the victim-size copies must be of the same photos.", nameof(clean));
        var clusters = ConceptClusters.Fit(features, concepts, seed, fingerprint: "evaluation");
        var noisy = ClassWiseNoise.Apply(clean, clusters.Assignments, concepts, epsilon, blockSize, seed);
        return new ConceptNoiseResult(noisy, clusters.Assignments, Purity(clusters.Assignments, clean, concepts));
    }

    /// <summary>The fraction of images whose concept's most common class is their own class.</summary>
    public static double Purity(IReadOnlyList<int> assignments, LabeledImages images, int concepts)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(images);
        var counts = new int[concepts, images.Classes.Count];
        for (int i = 0; i < images.Count; i++)
            counts[assignments[i], images.Label(i)]++;
        int agreeing = 0;
        for (int c = 0; c < concepts; c++)
            agreeing += Enumerable.Range(0, images.Classes.Count).Max(label => counts[c, label]);
        return images.Count == 0 ? 0 : (double)agreeing / images.Count;
    }
}
