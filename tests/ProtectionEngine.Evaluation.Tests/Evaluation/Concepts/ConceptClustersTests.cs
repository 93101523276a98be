using UploadGuard.ProtectionEngine.Evaluation.Concepts;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation.Concepts;

public sealed class ConceptClustersTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100)]
    public void Misdirection_targets_are_a_derangement(int k)
    {
        var targets = ConceptClusters.Derangement(k, seed: 4);

        Assert.Equal(Enumerable.Range(0, k), targets.Order());
        Assert.All(Enumerable.Range(0, k), c => Assert.NotEqual(c, targets[c]));
    }

    [Fact]
    public void Centroids_are_unit_vectors_and_the_file_round_trips()
    {
        using var scope = NewDisposeScope();
        var features = cat([rand(8, 16) + 4, rand(8, 16)], 0).relu();

        var clusters = ConceptClusters.Fit(features, 2, seed: 1, fingerprint: "abc");
        Assert.All(clusters.Centroids, c => Assert.Equal(1.0, Math.Sqrt(c.Sum(v => (double)v * v)), 4));
        Assert.Equal(16, clusters.Assignments.Length);

        string path = Path.Combine(Path.GetTempPath(), "uploadguard-tests", Guid.NewGuid().ToString("N"), ConceptClusters.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        clusters.Save(path);
        var loaded = ConceptClusters.TryLoad(path);
        Assert.NotNull(loaded);
        Assert.Equal(clusters.Assignments, loaded.Assignments);
        Assert.Equal(clusters.Targets, loaded.Targets);
        Assert.Equal("abc", loaded.Fingerprint);
    }
}
