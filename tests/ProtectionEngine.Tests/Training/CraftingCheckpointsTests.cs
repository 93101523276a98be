using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Evaluation.Victims;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Tests.Datasets;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Training;

public sealed class CraftingCheckpointsTests
{
    private const int Size = 16;
    private static readonly VictimRecipe Recipe = new() { Epochs = 3, BatchSize = 8 };

    [Fact]
    public void A_fit_stopped_after_an_epoch_resumes_there_and_ends_where_the_uninterrupted_fit_ends()
    {
        var images = Photos();
        var (uninterrupted, whole) = VictimTrainer.Fit(VictimArchitecture.ResNet20, images, Recipe, seed: 4, CPU);
        using var reference = uninterrupted;

        string folder = TestArchives.NewTempFolder();
        var checkpoints = new CraftingCheckpoints(folder, "run-a");
        using var stop = new CancellationTokenSource();
        var stopAfterTwo = new InlineProgress<VictimEpoch>(e =>
        {
            if (e.Epoch == 2)
                stop.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            VictimTrainer.Fit(VictimArchitecture.ResNet20, images, Recipe, seed: 4, CPU, stopAfterTwo, checkpoints, stop.Token));
        Assert.Equal(["crafting-epoch-0001.json", "crafting-epoch-0002.json"],
            Directory.GetFiles(folder, "*.json").Select(Path.GetFileName).Order());

        var reports = new List<VictimEpoch>();
        var (resumed, rest) = VictimTrainer.Fit(VictimArchitecture.ResNet20, images, Recipe, seed: 4, CPU,
            new InlineProgress<VictimEpoch>(reports.Add), checkpoints);
        using (resumed)
        {
            Assert.Equal([(2, true), (3, false)], reports.Select(r => (r.Epoch, r.Restored)));
            // The same weights, momentum, learning-rate step, batch order and crops: the same network at the end.
            var expected = reference.state_dict();
            foreach (var (name, value) in resumed.state_dict())
            {
                double difference = (value.to_type(ScalarType.Float64) - expected[name].to_type(ScalarType.Float64)).abs().max().item<double>();
                Assert.True(difference <= 1e-5, $"{name} differs by {difference}");
            }
            Assert.Equal(whole.FinalTrainLoss, rest.FinalTrainLoss, 1e-4);
            Assert.Equal(whole.FinalTrainAccuracy, rest.FinalTrainAccuracy);
        }
        Assert.Equal(["crafting-epoch-0002.json", "crafting-epoch-0003.json"],
            Directory.GetFiles(folder, "*.json").Select(Path.GetFileName).Order());   // the latest two are kept
    }

    [Fact]
    public void Checkpoints_of_another_run_are_refused_and_damaged_ones_are_reported()
    {
        var images = Photos();
        string folder = TestArchives.NewTempFolder();
        var (network, _) = VictimTrainer.Fit(VictimArchitecture.ResNet20, images, Recipe with { Epochs = 1 }, seed: 4, CPU, checkpoints: new CraftingCheckpoints(folder, "run-a"));
        network.Dispose();

        var other = Assert.Throws<InvalidOperationException>(() =>
            VictimTrainer.Fit(VictimArchitecture.ResNet20, images, Recipe with { Epochs = 1 }, seed: 4, CPU, checkpoints: new CraftingCheckpoints(folder, "run-b")));
        Assert.Contains("another run", other.Message);
        var longer = Assert.Throws<InvalidOperationException>(() =>
            VictimTrainer.Fit(VictimArchitecture.ResNet20, images, Recipe, seed: 4, CPU, checkpoints: new CraftingCheckpoints(folder, "run-a")));
        Assert.Contains("epoch 1/1", longer.Message);

        File.WriteAllBytes(Path.Combine(folder, "crafting-epoch-0001.safetensors"), [1, 2, 3]);
        Assert.Throws<ModelIntegrityException>(() =>
            VictimTrainer.Fit(VictimArchitecture.ResNet20, images, Recipe with { Epochs = 1 }, seed: 4, CPU, checkpoints: new CraftingCheckpoints(folder, "run-a")));
    }

    /// <summary>Twenty noisy 16-px photos, reddish or bluish by class, so a few epochs have something to learn.</summary>
    private static LabeledImages Photos()
    {
        var random = new Random(9);
        var pixels = new List<byte[]>();
        var labels = new List<int>();
        for (int i = 0; i < 20; i++)
        {
            var chw = new byte[3 * Size * Size];
            for (int j = 0; j < chw.Length; j++)
            {
                int channel = j / (Size * Size);
                int tint = (i % 2 == 0 ? channel == 0 : channel == 2) ? 120 : 0;
                chw[j] = (byte)Math.Min(255, tint + random.Next(100));
            }
            pixels.Add(chw);
            labels.Add(i % 2);
        }
        return new LabeledImages(Size, pixels, labels, ["reds", "blues"]);
    }
}
