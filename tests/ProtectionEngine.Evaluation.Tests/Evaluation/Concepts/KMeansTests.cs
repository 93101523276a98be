using UploadGuard.ProtectionEngine.Evaluation.Concepts;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation.Concepts;

public sealed class KMeansTests
{
    private static readonly float[][] Centers = [[0, 0, 0], [10, 0, 5], [0, 10, -5], [8, 8, 8]];

    [Fact]
    public void Recovers_separable_clusters()
    {
        var (points, truth) = Blobs(perBlob: 25, seed: 1);
        using var x = tensor(points.SelectMany(p => p).ToArray(), [points.Length, 3]);

        var result = KMeans.Fit(x, Centers.Length, seed: 7);

        // Same partition as the truth, up to renaming of the clusters.
        for (int blob = 0; blob < Centers.Length; blob++)
        {
            var labels = truth.Select((t, i) => (t, i)).Where(p => p.t == blob).Select(p => result.Assignments[p.i]).Distinct().ToList();
            Assert.Single(labels);
            var centroid = result.Centroids[labels[0]];
            for (int d = 0; d < 3; d++)
                Assert.InRange(centroid[d], Centers[blob][d] - 0.5, Centers[blob][d] + 0.5);
        }
        Assert.Equal(Centers.Length, result.Assignments.Distinct().Count());
        Assert.All(result.ClusterSizes(), s => Assert.Equal(25, s));
    }

    [Fact]
    public void Is_deterministic_for_a_seed()
    {
        var (points, _) = Blobs(perBlob: 10, seed: 2);
        using var x = tensor(points.SelectMany(p => p).ToArray(), [points.Length, 3]);

        var a = KMeans.Fit(x, 6, seed: 3);
        var b = KMeans.Fit(x, 6, seed: 3);

        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.Inertia, b.Inertia);
    }

    [Fact]
    public void Duplicate_points_still_give_k_clusters()
    {
        using var x = tensor(new float[] { 1, 1, 1, 1, 1, 1, 5, 5 }, [4, 2]);

        var result = KMeans.Fit(x, 3, seed: 1, restarts: 1);

        Assert.Equal(3, result.K);
        Assert.Equal(4, result.Assignments.Length);
        Assert.All(result.Assignments, a => Assert.InRange(a, 0, 2));
    }

    [Fact]
    public void Refuses_more_clusters_than_points()
    {
        using var x = zeros(3, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => KMeans.Fit(x, 4, seed: 1));
    }

    private static (float[][] Points, int[] Truth) Blobs(int perBlob, int seed)
    {
        var random = new Random(seed);
        var points = new List<float[]>();
        var truth = new List<int>();
        for (int i = 0; i < perBlob; i++)
        {
            for (int blob = 0; blob < Centers.Length; blob++)
            {
                points.Add(Centers[blob].Select(c => c + (float)(random.NextDouble() - 0.5)).ToArray());
                truth.Add(blob);
            }
        }
        return (points.ToArray(), truth.ToArray());
    }
}
