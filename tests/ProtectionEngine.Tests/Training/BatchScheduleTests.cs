using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.ProtectionEngine.Tests.Training;

public sealed class BatchScheduleTests
{
    [Fact]
    public void Each_epoch_visits_every_image_once()
    {
        var schedule = new BatchSchedule(count: 12, batchSize: 4, seed: 1);

        var epoch = Enumerable.Range(1, 3).SelectMany(s => schedule.ForStep(s)).ToList();

        Assert.Equal(Enumerable.Range(0, 12), epoch.Order());
    }

    [Fact]
    public void A_step_gives_the_same_batch_whatever_came_before()
    {
        var straight = new BatchSchedule(10, 4, seed: 5);
        var straightBatches = Enumerable.Range(1, 7).Select(s => straight.ForStep(s)).ToList();

        // A resumed run asks for step 6 first.
        var resumed = new BatchSchedule(10, 4, seed: 5);
        Assert.Equal(straightBatches[5], resumed.ForStep(6));
        Assert.Equal(straightBatches[6], resumed.ForStep(7));
    }

    [Fact]
    public void A_batch_larger_than_the_dataset_wraps_around()
    {
        var schedule = new BatchSchedule(3, 8, seed: 1);
        Assert.All(schedule.ForStep(1), i => Assert.InRange(i, 0, 2));
    }
}
