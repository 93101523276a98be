namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>
/// The attacker who suspects a per-owner pattern: for each owner, the mean of that owner's training photos minus the
/// mean of all training photos (pixel by pixel, at full size) estimates the pattern, and is subtracted from each of the
/// owner's photos. A pattern fixed in place survives as that estimate; the face's own average goes with it, which the
/// attack applied to clean photos prices.
/// </summary>
internal static class OwnerAveragingAttack
{
    public static LabeledImages Apply(LabeledImages photos, IReadOnlySet<int> owners)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(owners);
        int length = 3 * photos.Size * photos.Size;
        var everyone = Mean(photos, Enumerable.Range(0, photos.Count), length);
        var output = Enumerable.Range(0, photos.Count).Select(photos.Pixels).ToArray();
        foreach (int owner in owners)
        {
            var members = Enumerable.Range(0, photos.Count).Where(i => photos.Label(i) == owner).ToList();
            if (members.Count == 0)
                continue;
            var mean = Mean(photos, members, length);
            foreach (int i in members)
            {
                var source = photos.Pixels(i);
                var cleaned = new byte[length];
                for (int v = 0; v < length; v++)
                    cleaned[v] = (byte)Math.Clamp(Math.Round(source[v] - (mean[v] - everyone[v])), 0, 255);
                output[i] = cleaned;
            }
        }
        return photos.WithPixels(output);
    }

    private static double[] Mean(LabeledImages photos, IEnumerable<int> indices, int length)
    {
        var sum = new double[length];
        int count = 0;
        foreach (int i in indices)
        {
            var pixels = photos.Pixels(i);
            for (int v = 0; v < length; v++)
                sum[v] += pixels[v];
            count++;
        }
        for (int v = 0; v < length; v++)
            sum[v] /= Math.Max(1, count);
        return sum;
    }
}
