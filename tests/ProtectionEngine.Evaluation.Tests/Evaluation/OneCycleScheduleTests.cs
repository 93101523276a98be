using UploadGuard.ProtectionEngine.Evaluation;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

public sealed class OneCycleScheduleTests
{
    [Fact]
    public void Warms_up_to_the_peak_in_the_first_30_percent_then_anneals_to_almost_zero()
    {
        const long total = 1170;   // 15 epochs of 78 batches
        var schedule = new OneCycleSchedule(0.1, total);
        var rates = Enumerable.Range(0, (int)total).Select(s => schedule.At(s)).ToArray();

        Assert.Equal(0.1 / 25, rates[0], 12);
        int peak = Array.IndexOf(rates, rates.Max());
        Assert.InRange(peak, (int)(0.3 * total) - 2, (int)(0.3 * total));
        Assert.Equal(0.1, rates.Max(), 9);
        Assert.Equal(0.1 / 25 / 1e4, rates[^1], 12);
        for (int s = 1; s <= peak; s++)
            Assert.True(rates[s] >= rates[s - 1], $"not rising at step {s}");
        for (int s = peak + 1; s < rates.Length; s++)
            Assert.True(rates[s] <= rates[s - 1], $"not falling at step {s}");
        // Cosine halves: half-way through each phase the rate is half-way between its ends.
        Assert.Equal((0.1 + 0.1 / 25) / 2, schedule.At((long)Math.Round(schedule.PeakStep / 2)), 3);
    }

    [Fact]
    public void Steps_past_the_end_keep_the_last_rate_and_a_single_step_uses_the_peak()
    {
        var schedule = new OneCycleSchedule(0.1, 10);
        Assert.Equal(schedule.At(9), schedule.At(50));
        Assert.Equal(0.1, new OneCycleSchedule(0.1, 1).At(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OneCycleSchedule(0.1, 0));
    }
}
