using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Tests.Datasets;
using UploadGuard.ProtectionEngine.Tests.Support;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Training;

[Collection(SharedSurrogateGroup.Name)]
public sealed class GeneratorTrainerTests(TrainingSurrogateFixture fixture)
{
    // Tiny on purpose: 32-px photos, the smallest size the surrogate accepts, so a step takes milliseconds.
    private static readonly Lazy<string> Data = new(() =>
    {
        var files = Enumerable.Range(0, 24)
            .Select(i => ($"smoke/{(i % 2 == 0 ? "smooth" : "busy")}/{i:00}.png",
                TestImages.EncodedPhoto(32, 32, ImageFormatKind.Png, seed: i % 2 == 0 ? i : 1000 + i)))
            .Append(("smoke/README.txt", "labels are never read\n"u8.ToArray()))
            .ToList();
        return TestArchives.WriteTar(files, gzip: true);
    });

    [Fact]
    public async Task A_smoke_run_checkpoints_resumes_and_saves_an_untrained_model_the_registry_loads()
    {
        string root = TestArchives.NewTempFolder();
        var trainer = new GeneratorTrainer(fixture.Model);

        var first = await trainer.TrainAsync(Options(root, steps: 2, version: "smoke-a"));
        Assert.Equal(0, first.ResumedFromStep);
        Assert.Equal(2, first.StepsRun);
        Assert.Equal(1, first.Dataset.SkippedNotImages);
        Assert.Equal(24, first.Dataset.Kept);
        Assert.Equal(24, first.ClusterSizes.Sum());
        Assert.True(File.Exists(Path.Combine(root, "checkpoints", "step-00000002.safetensors")));
        Assert.True(File.Exists(Path.Combine(root, "checkpoints", ConceptClusters.FileName)));

        var reports = new List<TrainingProgress>();
        var second = await trainer.TrainAsync(Options(root, steps: 3, version: "smoke-b"), new Recorder(reports));
        Assert.Equal(2, second.ResumedFromStep);
        Assert.Equal(1, second.StepsRun);
        Assert.Contains(reports, r => r.Message?.Contains("Reusing", StringComparison.Ordinal) == true);
        Assert.Contains(reports, r => r.Message?.Contains("Resumed from the checkpoint of step 2", StringComparison.Ordinal) == true);
        var trainingReports = reports.Where(r => r.Phase == TrainingPhase.Training && r.ImagesPerSecond > 0).ToList();
        Assert.Equal([3L], trainingReports.Select(r => r.Step));
        Assert.All(trainingReports, r => Assert.True(double.IsFinite(r.LossTerms[ConceptObjective.Loss])));

        var card = second.Card;
        Assert.False(card.Trained);
        Assert.Equal(ModelCard.UntrainedWarning, card.Warning);
        Assert.Contains(ModelCard.UntrainedWarning, card.Notes);
        Assert.Contains("shortcut", card.Notes);
        Assert.Contains("K = 2", card.Notes);
        Assert.Equal(3, card.TrainingSteps);
        Assert.Equal(32, card.WorkingSize);
        Assert.Equal(8, card.Epsilon);
        Assert.Contains("data.tar.gz", card.TrainingData);

        var registry = new ModelRegistry(Path.Combine(root, "models"));
        using var model = registry.Load("smoke-b", CPU);
        Assert.False(model.Card.Trained);
        using var input = rand(1, 3, 32, 32);
        using var noGrad = no_grad();
        using var delta = model.Generator.call(input);
        Assert.Equal(input.shape, delta.shape);
        Assert.Equal("smoke-a", registry.ReadCard("smoke-a").Version);
    }

    [Fact]
    public async Task A_concept_poison_model_trains_its_crafting_network_on_the_concepts_and_the_registry_loads_it_within_epsilon()
    {
        string root = TestArchives.NewTempFolder();
        var reports = new List<TrainingProgress>();
        var options = Options(root, steps: 1, version: "poison") with { Architecture = ConceptPoisonGenerator.Poison, ProxySize = 16, CraftingEpochs = 2 };

        var result = await new GeneratorTrainer(fixture.Model).TrainAsync(options, new Recorder(reports));

        var card = result.Card;
        Assert.Equal(GeneratorArchitecture.ConceptPoison, card.Architecture.Name);
        Assert.Equal(16, card.WorkingSize);
        Assert.Equal(2 * 1, card.TrainingSteps);   // 2 epochs of one 24-photo batch
        Assert.False(card.Trained);                 // 2 epochs on 24 photos are a smoke run, and the card says so
        Assert.Contains(ModelCard.UntrainedWarning, card.Notes);
        Assert.Contains("K = 2", card.Notes);
        string written = File.ReadAllText(Path.Combine(root, "models", "poison", ModelCard.FileName));
        Assert.DoesNotContain("isKnown", written);   // derived properties of the architecture are not part of the card
        var epochs = reports.Where(r => r.Phase == TrainingPhase.Training).ToList();
        Assert.Equal([1L, 2L], epochs.Select(r => r.Step));
        Assert.All(epochs, r => Assert.InRange(r.LossTerms[GeneratorTrainer.CraftingAccuracy], 0, 1));
        Assert.True(File.Exists(Path.Combine(root, "checkpoints", "crafting-epoch-0002.safetensors")));

        // The same command again finds the crafting network's last epoch and trains nothing more.
        var again = new List<TrainingProgress>();
        var resumed = await new GeneratorTrainer(fixture.Model).TrainAsync(options with { Version = "poison-again" }, new Recorder(again));
        Assert.Contains(again, r => r.Phase == TrainingPhase.Resumed && r.Message == "Resumed the crafting network from its checkpoint of epoch 2/2");
        Assert.DoesNotContain(again, r => r.Phase == TrainingPhase.Training);
        Assert.Equal(card.Notes, resumed.Card.Notes);

        using var model = new ModelRegistry(Path.Combine(root, "models")).Load("poison", CPU);
        var poison = Assert.IsType<ConceptPoisonGenerator>(model.Generator);
        Assert.Equal(2, poison.Concepts);
        Assert.Equal(card.Parameters, poison.ParameterCount);
        using var input = rand(2, 3, 16, 16, generator: new TorchSharp.torch.Generator(6));
        using var noGrad = no_grad();
        using var output = model.Generator.call(input);
        Assert.Equal(input.shape, output.shape);
        Assert.True(output.abs().max().item<float>() <= 1f);
        Assert.True(output.abs().mean().item<float>() > 0.5f, "ten signed steps of a quarter epsilon leave most values far from zero");
    }

    [Fact]
    public async Task A_surrogate_hash_model_is_fitted_in_one_pass_and_the_registry_loads_it_to_a_grid_of_signs()
    {
        string root = TestArchives.NewTempFolder();
        var trainer = new GeneratorTrainer(fixture.Model);

        var result = await trainer.TrainAsync(Options(root, steps: 1, version: "hash") with { Architecture = SurrogateHashGenerator.Blocks });

        var card = result.Card;
        Assert.Equal(0, card.TrainingSteps);
        Assert.Equal(GeneratorArchitecture.SurrogateHash, card.Architecture.Name);
        Assert.Equal((SurrogateHashGenerator.Bits + 1) * 512, card.Parameters);   // the mean and one direction per bit
        Assert.False(card.Trained);   // 24 photos are a smoke run, and the card says so
        Assert.Contains(ModelCard.UntrainedWarning, card.Notes);
        Assert.False(Directory.Exists(Path.Combine(root, "checkpoints")), "nothing is optimised, so nothing is checkpointed");

        using var model = new ModelRegistry(Path.Combine(root, "models")).Load("hash", CPU);
        using var input = rand(3, 3, 32, 32, generator: new TorchSharp.torch.Generator(5));
        using var noGrad = no_grad();
        using var output = model.Generator.call(input);
        using var again = model.Generator.call(input);
        Assert.Equal(input.shape, output.shape);
        Assert.Equal(output.data<float>().ToArray(), again.data<float>().ToArray());
        var values = output.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v is 1f or -1f));
        // Constant on each 8x8 cell of the 4x4 grid, per channel.
        for (int n = 0; n < 3; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < 32; y++)
                {
                    for (int x = 0; x < 32; x++)
                        Assert.Equal(values[((n * 3 + c) * 32 + y / 8 * 8) * 32 + x / 8 * 8], values[((n * 3 + c) * 32 + y) * 32 + x]);
                }
            }
        }
        // The code follows what the surrogate sees: the same photo gets the same code inside any batch.
        using var reordered = model.Generator.call(input.flip(0));
        Assert.Equal(output[0].data<float>().ToArray(), reordered[2].data<float>().ToArray());
    }

    [Theory]
    [InlineData(GeneratorLossKind.Misdirection, "misdirection")]
    [InlineData(GeneratorLossKind.MinMin, "min-min")]
    public async Task Resuming_continues_the_same_optimisation_as_a_straight_run(GeneratorLossKind loss, string name)
    {
        string straight = TestArchives.NewTempFolder(), resumed = TestArchives.NewTempFolder();
        var trainer = new GeneratorTrainer(fixture.Model);

        await trainer.TrainAsync(Options(straight, steps: 3, version: "straight", loss: loss));
        await trainer.TrainAsync(Options(resumed, steps: 2, version: "part", loss: loss));
        var result = await trainer.TrainAsync(Options(resumed, steps: 3, version: "rest", loss: loss));
        Assert.Contains($"Loss {name},", result.Card.Notes);
        if (loss == GeneratorLossKind.MinMin)
        {
            // The stand-in victim's state travels with the checkpoint too, or the resumed run would differ below.
            Assert.Contains(ProxyClassifier.CleanAccuracy, result.FinalLossTerms.Keys);
            Assert.Contains("stand-in victim", result.Card.Notes);
        }

        // Same weights and Adam moments restored, same batches and transformations drawn: the same generator.
        using var a = new ModelRegistry(Path.Combine(straight, "models")).Load("straight", CPU);
        using var b = new ModelRegistry(Path.Combine(resumed, "models")).Load("rest", CPU);
        var wa = GeneratorWeights.Export(a.Generator).ToDictionary(t => t.Name);
        foreach (var t in GeneratorWeights.Export(b.Generator))
        {
            var reference = wa[t.Name].Data;
            double worst = t.Data.Select((v, i) => Math.Abs(v - reference[i])).DefaultIfEmpty().Max();
            Assert.True(worst < 1e-5, $"{t.Name} differs by {worst}");
        }
    }

    [Fact]
    public async Task Cancelling_writes_a_checkpoint_and_saves_no_model()
    {
        string root = TestArchives.NewTempFolder();
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder([], p =>
        {
            if (p.Phase == TrainingPhase.Training && p.Step == 1)
                cancel.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new GeneratorTrainer(fixture.Model).TrainAsync(Options(root, steps: 50, version: "never", interval: 10), progress, cancel.Token));

        Assert.Equal(1, TrainingCheckpoint.FindLatest(Path.Combine(root, "checkpoints"))?.Step);
        Assert.False(Directory.Exists(Path.Combine(root, "models", "never")));
    }

    [Fact]
    public async Task Checkpoints_of_another_run_are_refused()
    {
        string root = TestArchives.NewTempFolder();
        var trainer = new GeneratorTrainer(fixture.Model);
        await trainer.TrainAsync(Options(root, steps: 1, version: "one"));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => trainer.TrainAsync(Options(root, steps: 2, version: "two") with { Seed = 2 }));
        Assert.Contains("another run", ex.Message);
    }

    [Fact]
    public async Task Missing_data_and_existing_versions_fail_before_any_work()
    {
        string root = TestArchives.NewTempFolder();
        var trainer = new GeneratorTrainer(fixture.Model);

        await Assert.ThrowsAsync<FileNotFoundException>(() => trainer.TrainAsync(Options(root, 1, "x") with { DataSource = Path.Combine(root, "absent.tar.gz") }));

        TestEngine.AddSmallModel(new ModelRegistry(Path.Combine(root, "models")), "taken");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => trainer.TrainAsync(Options(root, 1, "taken")));
        Assert.Contains("already exists", ex.Message);
    }

    [Fact]
    public void Options_are_validated()
    {
        var valid = Options(TestArchives.NewTempFolder(), 1, "v");
        Assert.Equal(32, valid.EffectiveSurrogateSize);
        Assert.Equal(128, (valid with { ImageSize = 112 }).EffectiveSurrogateSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { ImageSize = 30 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { SurrogateSize = 112 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { K = 1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { Epsilon = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (valid with { Version = "../escape" }).Validate());
    }

    private static GeneratorTrainingOptions Options(string root, long steps, string version, GeneratorLossKind loss = GeneratorLossKind.Shortcut, int interval = 1) => new()
    {
        DataSource = Data.Value,
        Sampling = DatasetSampling.First,
        ImageSize = 32,
        K = 2,
        Loss = loss,
        Steps = steps,
        BatchSize = 4,
        LearningRate = 1e-3,
        Seed = 1,
        CheckpointDirectory = Path.Combine(root, "checkpoints"),
        CheckpointInterval = interval,
        ModelsPath = Path.Combine(root, "models"),
        Version = version,
        Device = "cpu",
    };

    private sealed class Recorder(List<TrainingProgress> reports, Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
