using System.Text.Json;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using UploadGuard.ProtectionEngine.Files;

namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>
/// The label-agnostic concepts a generator is trained against: k-means on the surrogate's features of the clean
/// training photos, after centring them on their mean and scaling to unit length. Centring matters: the features come
/// out of a ReLU, so they are all non-negative and raw cosines bunch near 1; centred, the concepts separate.
/// </summary>
/// <param name="Fingerprint">The run (data and settings) the clusters were made for; a resume checks it.</param>
/// <param name="Center">Mean feature of the training photos, subtracted before normalising.</param>
/// <param name="Centroids">K unit-length centroids in the centred, normalised space.</param>
/// <param name="Assignments">Each training photo's concept, in dataset order.</param>
/// <param name="Targets">Misdirection: the concept each concept's photos are pushed toward (a derangement: never itself).</param>
internal sealed record ConceptClusters(string Fingerprint, float[] Center, float[][] Centroids, int[] Assignments, int[] Targets)
{
    public const string FileName = "clusters.json";

    public int K => Centroids.Length;

    /// <param name="features">[N, D] clean surrogate features.</param>
    /// <param name="k">Concepts.</param>
    /// <param name="seed">Seeds k-means++ and the misdirection derangement.</param>
    /// <param name="fingerprint">Recorded for resume checks.</param>
    public static ConceptClusters Fit(Tensor features, int k, int seed, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = features.detach().to(ScalarType.Float32).cpu();
        var center = x.mean([0]);
        var embedded = functional.normalize(x - center, p: 2, dim: 1);
        var kmeans = KMeans.Fit(embedded, k, seed);
        var centroids = kmeans.Centroids.Select(Normalize).ToArray();
        return new ConceptClusters(fingerprint, center.data<float>().ToArray(), centroids, kmeans.Assignments, Derangement(k, seed));
    }

    /// <summary>A seeded permutation of 0..k-1 without fixed points: a random cycle through all concepts.</summary>
    public static int[] Derangement(int k, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        var order = Enumerable.Range(0, k).ToArray();
        new Random(seed).Shuffle(order);
        var targets = new int[k];
        for (int i = 0; i < k; i++)
            targets[order[i]] = order[(i + 1) % k];
        return targets;
    }

    public int[] ClusterSizes()
    {
        var sizes = new int[K];
        foreach (int a in Assignments)
            sizes[a]++;
        return sizes;
    }

    public void Save(string path)
    {
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(this, ModelCard.JsonOptions));
    }

    /// <summary>The clusters saved at <paramref name="path"/>, or null when there are none or they are unreadable.</summary>
    public static ConceptClusters? TryLoad(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            var clusters = JsonSerializer.Deserialize<ConceptClusters>(File.ReadAllBytes(path), ModelCard.JsonOptions);
            return clusters is { Centroids.Length: >= 2 } && clusters.Targets.Length == clusters.Centroids.Length
                && clusters.Centroids.All(c => c.Length == clusters.Center.Length)
                && clusters.Assignments.All(a => a >= 0 && a < clusters.Centroids.Length)
                ? clusters
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static float[] Normalize(float[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return norm > 0 ? v.Select(x => (float)(x / norm)).ToArray() : v;
    }
}
