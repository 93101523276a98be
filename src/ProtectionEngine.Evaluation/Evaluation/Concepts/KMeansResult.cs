namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>The outcome of <see cref="KMeans.Fit"/>.</summary>
/// <param name="Centroids">K rows of D values.</param>
/// <param name="Assignments">For each point, the index of its nearest centroid.</param>
/// <param name="Inertia">Sum of squared distances from points to their centroids.</param>
/// <param name="Iterations">Lloyd iterations of the restart that was kept.</param>
internal sealed record KMeansResult(float[][] Centroids, int[] Assignments, double Inertia, int Iterations)
{
    public int K => Centroids.Length;

    /// <summary>Points in each cluster.</summary>
    public int[] ClusterSizes()
    {
        var sizes = new int[K];
        foreach (int a in Assignments)
            sizes[a]++;
        return sizes;
    }
}
