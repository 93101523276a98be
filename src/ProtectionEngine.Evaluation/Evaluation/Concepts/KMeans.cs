using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>
/// Lloyd's k-means with k-means++ seeding, deterministic for a given seed. Distances run as tensor operations (one
/// matrix product per iteration), the random choices on a seeded <see cref="Random"/>, so results do not depend on
/// torch's global generator.
/// </summary>
internal static class KMeans
{
    /// <param name="points">[N, D] float tensor on any device.</param>
    /// <param name="k">Clusters, 1..N.</param>
    /// <param name="seed">Seeds k-means++.</param>
    /// <param name="restarts">Independent seedings; the one with the lowest inertia is kept.</param>
    /// <param name="maxIterations">Cap on Lloyd iterations per restart.</param>
    /// <param name="tolerance">Stop when no centroid moves by more than this (Euclidean).</param>
    public static KMeansResult Fit(Tensor points, int k, int seed, int restarts = 3, int maxIterations = 100, double tolerance = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.dim() != 2)
            throw new ArgumentException($"Points must be [N, D], got [{string.Join(", ", points.shape)}].", nameof(points));
        long n = points.shape[0];
        if (k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"K must be between 1 and the number of points ({n}).");
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = points.detach().to(ScalarType.Float32);
        var squaredNorms = x.square().sum(1);
        var random = new Random(seed);
        KMeansResult? best = null;
        for (int r = 0; r < restarts; r++)
        {
            var result = FitOnce(x, squaredNorms, k, random, maxIterations, tolerance);
            if (best is null || result.Inertia < best.Inertia)
                best = result;
        }
        return best!;
    }

    private static KMeansResult FitOnce(Tensor x, Tensor squaredNorms, int k, Random random, int maxIterations, double tolerance)
    {
        using var scope = NewDisposeScope();
        var centroids = SeedPlusPlus(x, squaredNorms, k, random);
        int iterations = 0;
        Tensor assignments = null!;
        for (; iterations < maxIterations; iterations++)
        {
            assignments = SquaredDistances(x, squaredNorms, centroids).argmin(1);
            var updated = Means(x, assignments, centroids);
            double shift = (updated - centroids).square().sum(1).max().sqrt().item<float>();
            centroids = updated;
            if (shift <= tolerance)
            {
                iterations++;
                break;
            }
        }
        var distances = SquaredDistances(x, squaredNorms, centroids);
        var (nearest, labels) = distances.min(1);
        double inertia = nearest.clamp_min(0).sum().item<float>();

        var flat = centroids.cpu().contiguous().data<float>().ToArray();
        int d = (int)x.shape[1];
        var rows = Enumerable.Range(0, k).Select(c => flat.AsSpan(c * d, d).ToArray()).ToArray();
        return new KMeansResult(rows, labels.cpu().to(ScalarType.Int32).data<int>().ToArray(), inertia, iterations);
    }

    /// <summary>k-means++: each next centre is a point drawn with probability proportional to its squared distance to the nearest centre so far.</summary>
    private static Tensor SeedPlusPlus(Tensor x, Tensor squaredNorms, int k, Random random)
    {
        long n = x.shape[0];
        var chosen = new List<long> { random.NextInt64(n) };
        var nearest = SquaredDistances(x, squaredNorms, x[chosen[0]].unsqueeze(0)).squeeze(1).clamp_min(0);
        while (chosen.Count < k)
        {
            var weights = nearest.cpu().to(ScalarType.Float64).data<double>().ToArray();
            double total = weights.Sum();
            long next;
            if (total <= 0)
            {
                // Every point coincides with a centre already: any unused point will do.
                next = Enumerable.Range(0, (int)n).First(i => !chosen.Contains(i));
            }
            else
            {
                double target = random.NextDouble() * total, running = 0;
                next = n - 1;
                for (int i = 0; i < n; i++)
                {
                    running += weights[i];
                    if (running > target && weights[i] > 0)
                    {
                        next = i;
                        break;
                    }
                }
            }
            chosen.Add(next);
            nearest = minimum(nearest, SquaredDistances(x, squaredNorms, x[next].unsqueeze(0)).squeeze(1).clamp_min(0));
        }
        return x.index_select(0, tensor(chosen.ToArray(), device: x.device)).clone();
    }

    private static Tensor SquaredDistances(Tensor x, Tensor squaredNorms, Tensor centroids) =>
        squaredNorms.unsqueeze(1) - 2 * x.matmul(centroids.t()) + centroids.square().sum(1).unsqueeze(0);

    /// <summary>Centroid of each cluster; an emptied cluster restarts at the point farthest from its centroid.</summary>
    private static Tensor Means(Tensor x, Tensor assignments, Tensor centroids)
    {
        long k = centroids.shape[0];
        var sums = zeros_like(centroids).index_add_(0, assignments, x, 1);
        var counts = bincount(assignments, minlength: k).to(x.dtype);
        var means = sums / counts.clamp_min(1).unsqueeze(1);
        var countValues = counts.cpu().data<float>().ToArray();
        Tensor? spread = null;
        for (int c = 0; c < k; c++)
        {
            if (countValues[c] > 0)
                continue;
            spread ??= (x - means.index_select(0, assignments)).square().sum(1);
            long farthest = spread.argmax().item<long>();
            means.index_copy_(0, tensor(new long[] { c }, device: x.device), x[farthest].unsqueeze(0));
            spread.index_fill_(0, tensor(new long[] { farthest }, device: x.device), -1);   // two emptied clusters must not restart at the same point
        }
        return means;
    }
}
