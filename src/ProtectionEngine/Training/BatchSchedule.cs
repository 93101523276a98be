namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Which images each step trains on: epochs of seeded random order, consecutive steps taking consecutive slices (a batch
/// may span two epochs). A pure function of (seed, step), so a resumed run sees the batches it would have seen.
/// </summary>
public sealed class BatchSchedule
{
    private const int PermutationStream = 1;
    private readonly int count;
    private readonly int batchSize;
    private readonly int seed;
    private long cachedEpoch = -1;
    private int[] cachedPermutation = [];

    public BatchSchedule(int count, int batchSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        this.count = count;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /// <summary>Image indices of 1-based step <paramref name="step"/>.</summary>
    public int[] ForStep(long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        var indices = new int[batchSize];
        long first = (step - 1) * batchSize;
        for (int i = 0; i < batchSize; i++)
        {
            long position = first + i;
            indices[i] = Permutation(position / count)[position % count];
        }
        return indices;
    }

    private int[] Permutation(long epoch)
    {
        if (epoch != cachedEpoch)
        {
            var order = Enumerable.Range(0, count).ToArray();
            new Random(StepSeeds.Mix(seed, epoch, PermutationStream)).Shuffle(order);
            cachedPermutation = order;
            cachedEpoch = epoch;
        }
        return cachedPermutation;
    }
}
