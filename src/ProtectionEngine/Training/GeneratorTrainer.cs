using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training.Transforms;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Trains a <see cref="PerturbationGenerator"/> without labels: photos are read (<see cref="ImageDatasetLoader"/>), their
/// clean surrogate features clustered into K concepts (<see cref="ConceptClusters"/>), then each step perturbs a batch
/// by epsilon/255 * tanh(G(x)), draws random transformations (<see cref="ExpectationOverTransformations"/>), and moves
/// the generator to lower the <see cref="ConceptObjective"/> on the surrogate's features. Checkpoints every N steps,
/// resumes from the latest, and saves the result as a new registry version whose card says honestly whether it was
/// trained for real.
/// </summary>
public sealed class GeneratorTrainer
{
    private const int EotStream = 2;
    private const int ProxyStream = 3;
    private const double SmoothingFactor = 0.1;
    private const double LossSmoothingFactor = 0.05;
    private readonly ResNet18Surrogate? sharedSurrogate;

    /// <param name="surrogate">
    /// A loaded surrogate to reuse across runs (it is moved to the run's device); null loads the pretrained one for each
    /// run and disposes it afterwards.
    /// </param>
    public GeneratorTrainer(ResNet18Surrogate? surrogate = null) => sharedSurrogate = surrogate;

    /// <summary>
    /// Runs training on a dedicated thread. Cancelling stops between steps, writes a checkpoint of the last completed step
    /// (when a checkpoint folder is set) and throws <see cref="OperationCanceledException"/>; nothing is written to the
    /// registry then.
    /// </summary>
    /// <exception cref="FileNotFoundException">The data source does not exist (or the surrogate's files are missing).</exception>
    /// <exception cref="InvalidOperationException">Too few usable photos, the version exists, checkpoints of another run, or the loss diverged.</exception>
    public Task<TrainingResult> TrainAsync(GeneratorTrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // A long CPU-bound run: its own thread, not a thread-pool worker held for hours.
        return Task.Factory.StartNew(() => Train(options, progress, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private TrainingResult Train(GeneratorTrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var registry = new ModelRegistry(options.ModelsPath);
        string version = options.Version ?? $"gen-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        // Checked now, not after hours of training.
        if (Directory.Exists(Path.Combine(registry.Root, version)))
            throw new InvalidOperationException($"Model version '{version}' already exists in '{registry.Root}'; choose another version.");

        Report(progress, TrainingPhase.LoadingData, 0, 0, $"Reading {options.DataSource}");
        var dataset = ImageDatasetLoader.Load(
            new ImageDatasetOptions
            {
                Source = options.DataSource,
                Subset = options.Subset,
                MaxImages = options.MaxImages,
                ExcludePrefixes = options.ExcludePrefixes,
                Sampling = options.Sampling,
                Seed = options.Seed,
                ImageSize = options.ImageSize,
            },
            progress is null ? null : new InlineProgress<DatasetLoadStatistics>(s => Report(progress, TrainingPhase.LoadingData, s.FilesInSubset, 0,
                $"{s.Kept:N0} images kept, {s.Skipped:N0} skipped")),
            cancellationToken);
        if (dataset.Count < options.K)
        {
            throw new InvalidOperationException(
                $"{dataset.Description} gave {dataset.Count} usable image(s) ({dataset.Statistics.SkippedNotImages} non-image and "
                + $"{dataset.Statistics.SkippedUndecodable} undecodable file(s) skipped); at least K = {options.K} are needed.");
        }

        string fingerprint = Fingerprint(options, dataset);
        if (options.Architecture.IsOwnerKeyed)
            return OwnerTextureTrainer.Fit(options, dataset, fingerprint, registry, version, progress, clock, cancellationToken);
        var latest = TrainingCheckpoint.FindLatest(options.CheckpointDirectory);
        if (latest is not null && latest.Fingerprint != fingerprint)
        {
            throw new InvalidOperationException(
                $"The checkpoints in '{options.CheckpointDirectory}' belong to another run (different data or settings); "
                + "use another checkpoint folder, or delete these checkpoints to start over.");
        }

        var device = ComputeDevice.Select(options.Device);
        var surrogate = sharedSurrogate ?? ResNet18Surrogate.LoadPretrained();
        try
        {
            surrogate.to(device);
            if (options.Architecture.IsSurrogateHash)
                return FitSurrogateHash(options, dataset, surrogate, device, registry, version, progress, clock, cancellationToken);
            var clusters = LoadOrFitClusters(options, dataset, surrogate, device, fingerprint, progress, cancellationToken);
            if (options.Architecture.Name == GeneratorArchitecture.ConceptPoison)
                return FitConceptPoison(options, dataset, clusters, device, fingerprint, registry, version, progress, clock, cancellationToken);
            return Optimise(options, dataset, clusters, surrogate, device, fingerprint, latest, registry, version, progress, clock, cancellationToken);
        }
        finally
        {
            if (sharedSurrogate is null)
                surrogate.Dispose();
        }
    }

    private static TrainingResult Optimise(GeneratorTrainingOptions options, ImageDataset dataset, ConceptClusters clusters, ResNet18Surrogate surrogate,
        Device device, string fingerprint, CheckpointManifest? latest, ModelRegistry registry, string version, IProgress<TrainingProgress>? progress,
        Stopwatch clock, CancellationToken cancellationToken)
    {
        using var objective = new ConceptObjective(clusters, options.Loss, options.Temperature, options.AwayWeight, device);
        using var proxy = options.Loss == GeneratorLossKind.MinMin
            ? new ProxyClassifier(clusters.K, options.ProxySize, options.ProxyLearningRate, StepSeeds.Mix(options.Seed, 0, ProxyStream), device)
            : null;
        using var generator = new PerturbationGenerator(options.Architecture);
        GeneratorInitialisation.Reset(generator, options.Seed);
        generator.to(device);
        generator.train();
        using var optimizer = new Adam(generator.parameters(), options.LearningRate, beta1: 0.9, beta2: 0.999);

        long start = 0;
        IReadOnlyDictionary<string, double> terms = new Dictionary<string, double>();
        if (latest is not null)
        {
            TrainingCheckpoint.Restore(options.CheckpointDirectory!, latest, generator, optimizer, proxy);
            start = latest.Step;
            terms = latest.LossTerms;
            Report(progress, TrainingPhase.Resumed, start, options.Steps, $"Resumed from the checkpoint of step {start:N0}", terms);
        }

        var schedule = new BatchSchedule(dataset.Count, options.BatchSize, options.Seed);
        var eot = new ExpectationOverTransformations(options.Eot);
        double scale = options.Epsilon / 255.0;
        long completed = start, saved = start;
        double? secondsPerStep = null;
        double? smoothedLoss = null;
        double timedSeconds = 0;
        long timedSteps = 0;
        try
        {
            for (long step = start + 1; step <= options.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long began = Stopwatch.GetTimestamp();
                terms = Step(step, options, dataset, clusters, schedule, eot, scale, generator, optimizer, surrogate, objective, proxy, device);
                if (!double.IsFinite(terms[ConceptObjective.Loss]))
                    throw new InvalidOperationException($"The loss is {terms[ConceptObjective.Loss]} at step {step}; lower the learning rate.");
                completed = step;

                double seconds = Stopwatch.GetElapsedTime(began).TotalSeconds;
                // The first step of a call pays for allocator and kernel warm-up: it seeds the estimate, then is dropped.
                bool warmUp = step == start + 1;
                secondsPerStep = secondsPerStep is { } s && step != start + 2 ? s + SmoothingFactor * (seconds - s) : seconds;
                if (!warmUp)
                {
                    timedSeconds += seconds;
                    timedSteps++;
                }
                double loss = terms[ConceptObjective.Loss];
                smoothedLoss = smoothedLoss is { } l ? l + LossSmoothingFactor * (loss - l) : loss;
                progress?.Report(new TrainingProgress(TrainingPhase.Training, step, options.Steps, terms,
                    options.BatchSize / secondsPerStep.Value, TimeSpan.FromSeconds(secondsPerStep.Value * (options.Steps - step)), null, smoothedLoss));

                if (options.CheckpointDirectory is not null && step % options.CheckpointInterval == 0)
                {
                    Checkpoint(options, fingerprint, step, generator, optimizer, proxy, terms, progress);
                    saved = step;
                }
            }
        }
        catch (OperationCanceledException) when (options.CheckpointDirectory is not null && completed > saved)
        {
            // Keep the work done so far: the same command resumes from here.
            Checkpoint(options, fingerprint, completed, generator, optimizer, proxy, terms, progress);
            throw;
        }
        if (options.CheckpointDirectory is not null && completed > saved)
            Checkpoint(options, fingerprint, completed, generator, optimizer, proxy, terms, progress);

        cancellationToken.ThrowIfCancellationRequested();
        Report(progress, TrainingPhase.Saving, completed, options.Steps, $"Saving version {version}", terms);
        generator.eval();
        var card = registry.Save(Card(options, dataset, clusters, version, completed, terms, generator), generator);
        if (options.Activate)
            registry.SetActive(card.Version);
        Report(progress, TrainingPhase.Completed, completed, options.Steps, $"Saved {card.Version}", terms);
        return new TrainingResult(card, dataset.Statistics, start, completed - start, terms, clusters.ClusterSizes(), clock.Elapsed,
            timedSteps > 0 ? TimeSpan.FromSeconds(timedSeconds / timedSteps) : null);
    }

    private static IReadOnlyDictionary<string, double> Step(long step, GeneratorTrainingOptions options, ImageDataset dataset, ConceptClusters clusters,
        BatchSchedule schedule, ExpectationOverTransformations eot, double scale, PerturbationGenerator generator, Adam optimizer,
        ResNet18Surrogate surrogate, ConceptObjective objective, ProxyClassifier? proxy, Device device)
    {
        using var scope = NewDisposeScope();
        var indices = schedule.ForStep(step);
        var clean = dataset.Batch(indices, device);
        var concepts = tensor(indices.Select(i => (long)clusters.Assignments[i]).ToArray(), device: device);

        var perturbed = (clean + generator.call(clean) * scale).clamp(0, 1);
        var random = new Random(StepSeeds.Mix(options.Seed, step, EotStream));
        var transformed = eot.Apply(perturbed, random);
        Tensor loss;
        IReadOnlyDictionary<string, double> terms;
        if (proxy is null)
        {
            var features = surrogate.call(SurrogateFeatures.Input(transformed, options.EffectiveSurrogateSize));
            (loss, terms) = objective.Evaluate(features, concepts);
        }
        else
        {
            // Min-min: the stand-in victim takes its step on this batch first, then the generator moves to make that
            // victim's loss smaller still.
            var inputs = proxy.Prepare(transformed, random);
            double accuracy = proxy.Learn(inputs, concepts);
            (loss, terms) = proxy.Evaluate(inputs, concepts, proxy.Prepare(clean, random), accuracy);
        }

        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return terms;
    }

    /// <summary>
    /// A <see cref="SurrogateHashGenerator"/> has nothing to optimise: its feature mean is fitted on the photos' clean
    /// surrogate features (no labels) and its directions are drawn from the seed.
    /// </summary>
    private static TrainingResult FitSurrogateHash(GeneratorTrainingOptions options, ImageDataset dataset, ResNet18Surrogate surrogate, Device device,
        ModelRegistry registry, string version, IProgress<TrainingProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var features = ExtractFeatures(options, dataset, surrogate, device, SurrogateHashGenerator.SurrogateSize, progress, cancellationToken);
        using var generator = new SurrogateHashGenerator(options.Architecture, surrogate, leaveSurrogateOpen: true);
        generator.Fit(features, options.Seed);
        var inv = CultureInfo.InvariantCulture;
        bool enoughImages = dataset.Count >= options.MinimumImagesForTrained;
        string notes = string.Create(inv,
            $"{options.Architecture.Name}: the signs of {SurrogateHashGenerator.Bits} random projections (seed {options.Seed}) of the ResNet-18 surrogate's features at {SurrogateHashGenerator.SurrogateSize} px, ")
            + string.Create(inv, $"centred on their mean over the training photos, as +-epsilon on a {SurrogateHashGenerator.Grid}x{SurrogateHashGenerator.Grid} grid per channel")
            + (options.Architecture.Name == GeneratorArchitecture.SurrogateHashSmooth ? ", interpolated bilinearly between the cells' centres. " : ", one flat block per cell. ")
            + "Nothing is optimised; labels are not used. Protection not yet measured by the victim benchmark."
            + (enoughImages ? "" : string.Create(inv, $" {ModelCard.UntrainedWarning}: fitted on {dataset.Count:N0} images; a fitted model needs at least {options.MinimumImagesForTrained:N0}."));
        return SaveFitted(options, dataset, registry, version, generator, options.ImageSize, enoughImages, 0, notes, [], progress, clock, cancellationToken);
    }

    /// <summary>
    /// A <see cref="ConceptPoisonGenerator"/>: its crafting network learns the photos' concepts (no labels) at the
    /// working size <see cref="GeneratorTrainingOptions.ProxySize"/> with the victims' recipe; its targets are the
    /// concepts' misdirection derangement.
    /// </summary>
    private static TrainingResult FitConceptPoison(GeneratorTrainingOptions options, ImageDataset dataset, ConceptClusters clusters, Device device,
        string fingerprint, ModelRegistry registry, string version, IProgress<TrainingProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        int epochs = options.CraftingEpochs;
        long stepsPerEpoch = (dataset.Count + VictimRecipeBatch - 1) / VictimRecipeBatch;
        var checkpoints = options.CheckpointDirectory is null ? null
            : new CraftingCheckpoints(options.CheckpointDirectory, CraftingFingerprint(fingerprint, options), options.CheckpointsToKeep);
        var began = Stopwatch.StartNew();
        int firstEpoch = 0;
        var (network, training) = CraftingNetwork.Train(dataset.Count, indices => dataset.Batch(indices, device), clusters.Assignments, clusters.K,
            options.ProxySize, epochs, options.Seed, device,
            new InlineProgress<VictimEpoch>(e =>
            {
                var terms = new Dictionary<string, double> { [ConceptObjective.Loss] = e.MeanLoss, [CraftingAccuracy] = e.TrainAccuracy };
                if (e.Restored)
                {
                    firstEpoch = e.Epoch;
                    began.Restart();
                    Report(progress, TrainingPhase.Resumed, e.Epoch * stepsPerEpoch, epochs * stepsPerEpoch,
                        string.Create(inv, $"Resumed the crafting network from its checkpoint of epoch {e.Epoch}/{epochs}"), terms);
                    return;
                }
                double secondsPerEpoch = began.Elapsed.TotalSeconds / (e.Epoch - firstEpoch);
                progress?.Report(new TrainingProgress(TrainingPhase.Training, e.Epoch * stepsPerEpoch, epochs * stepsPerEpoch, terms,
                    dataset.Count / secondsPerEpoch, TimeSpan.FromSeconds(secondsPerEpoch * (epochs - e.Epoch)),
                    string.Create(inv, $"Crafting network epoch {e.Epoch}/{epochs}"), e.MeanLoss));
            }),
            checkpoints, cancellationToken);
        using (network)
        {
            using var generator = new ConceptPoisonGenerator(clusters.K, options.Epsilon);
            generator.Set(network, clusters.Targets);
            bool enoughImages = dataset.Count >= options.MinimumImagesForTrained;
            bool enoughEpochs = epochs >= MinimumCraftingEpochsForTrained;
            string notes = string.Create(inv,
                $"{options.Architecture.Name}: {ConceptPoisonGenerator.Steps} steps of PGD (each {ConceptPoisonGenerator.StepShare} x epsilon, zero start) on the {options.ProxySize}-px canvas ")
                + string.Create(inv, $"toward another concept, against a ResNet-20 crafting network trained {epochs} epochs with the victims' recipe on K = {clusters.K} k-means concepts ")
                + string.Create(inv, $"of ResNet-18 surrogate features at {options.EffectiveSurrogateSize} px (sizes {string.Join("/", clusters.ClusterSizes())}); its last-epoch concept accuracy {training.FinalTrainAccuracy:P1}. ")
                + "Labels are not used. Protection not yet measured by the victim benchmark."
                + (enoughImages && enoughEpochs ? "" : string.Create(inv,
                    $" {ModelCard.UntrainedWarning}: a smoke run ({epochs} epochs on {dataset.Count:N0} images; a trained model needs at least {MinimumCraftingEpochsForTrained} epochs and {options.MinimumImagesForTrained:N0} images)."));
            var terms = new Dictionary<string, double> { [ConceptObjective.Loss] = training.FinalTrainLoss, [CraftingAccuracy] = training.FinalTrainAccuracy };
            return SaveFitted(options, dataset, registry, version, generator, options.ProxySize, enoughImages && enoughEpochs, epochs * stepsPerEpoch, notes,
                clusters.ClusterSizes(), progress, clock, cancellationToken, terms);
        }
    }

    /// <summary>The crafting network's accuracy on the concepts, as a progress term.</summary>
    public const string CraftingAccuracy = "conceptAcc";

    /// <summary>Fewer crafting epochs than this give a card with <c>trained: false</c>.</summary>
    public const int MinimumCraftingEpochsForTrained = 5;

    private static readonly int VictimRecipeBatch = new VictimRecipe().BatchSize;

    /// <summary>Saves a model that was fitted rather than optimised step by step (nothing to checkpoint or resume).</summary>
    /// <summary>Saves a fitted generator as a new version with its card (and activates it when asked).</summary>
    internal static TrainingResult SaveFitted(GeneratorTrainingOptions options, ImageDataset dataset, ModelRegistry registry, string version, GeneratorModule generator,
        int workingSize, bool trained, long steps, string notes, IReadOnlyList<int> clusterSizes, IProgress<TrainingProgress>? progress, Stopwatch clock,
        CancellationToken cancellationToken, IReadOnlyDictionary<string, double>? terms = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Report(progress, TrainingPhase.Saving, steps, steps, $"Saving version {version}");
        var card = registry.Save(new ModelCard
        {
            Version = version,
            Trained = trained,
            Architecture = generator.Architecture,
            Parameters = generator.ParameterCount,
            WorkingSize = workingSize,
            Epsilon = options.Epsilon,
            Weights = new ModelWeightsFile("generator.safetensors", "safetensors", ""),
            TrainingData = string.Create(CultureInfo.InvariantCulture,
                $"{dataset.Description}: {dataset.Count:N0} images at {options.ImageSize} px; {dataset.Statistics.Skipped:N0} file(s) skipped; labels not used"),
            TrainingSteps = steps,
            Created = DateTimeOffset.UtcNow,
            Notes = notes,
        }, generator);
        if (options.Activate)
            registry.SetActive(card.Version);
        Report(progress, TrainingPhase.Completed, steps, steps, $"Saved {card.Version}");
        var finalTerms = terms ?? new Dictionary<string, double>();
        return new TrainingResult(card, dataset.Statistics, 0, steps, finalTerms, clusterSizes, clock.Elapsed, null);
    }

    private static ConceptClusters LoadOrFitClusters(GeneratorTrainingOptions options, ImageDataset dataset, ResNet18Surrogate surrogate, Device device,
        string fingerprint, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        string? path = options.CheckpointDirectory is null ? null : Path.Combine(options.CheckpointDirectory, ConceptClusters.FileName);
        if (path is not null && ConceptClusters.TryLoad(path) is { } saved && saved.Fingerprint == fingerprint
            && saved.K == options.K && saved.Assignments.Length == dataset.Count)
        {
            Report(progress, TrainingPhase.Clustering, 0, 0, $"Reusing the {saved.K} concepts saved in {path}");
            return saved;
        }

        using var scope = NewDisposeScope();
        var features = ExtractFeatures(options, dataset, surrogate, device, options.EffectiveSurrogateSize, progress, cancellationToken);
        Report(progress, TrainingPhase.Clustering, 0, 0, $"k-means, K = {options.K}, on {dataset.Count:N0} feature vectors");
        var clusters = ConceptClusters.Fit(features, options.K, options.Seed, fingerprint);
        if (path is not null)
        {
            Directory.CreateDirectory(options.CheckpointDirectory!);
            clusters.Save(path);
        }
        return clusters;
    }

    private static Tensor ExtractFeatures(GeneratorTrainingOptions options, ImageDataset dataset, ResNet18Surrogate surrogate, Device device, int size,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        SurrogateFeatures.Extract(surrogate, dataset.Count, indices => dataset.Batch(indices, device), size,
            options.FeatureBatchSize, done => Report(progress, TrainingPhase.ExtractingFeatures, done, dataset.Count, null), cancellationToken);

    private static void Checkpoint(GeneratorTrainingOptions options, string fingerprint, long step, PerturbationGenerator generator, Adam optimizer,
        ProxyClassifier? proxy, IReadOnlyDictionary<string, double> terms, IProgress<TrainingProgress>? progress)
    {
        Report(progress, TrainingPhase.Checkpointing, step, options.Steps, $"Checkpoint at step {step:N0}", terms);
        TrainingCheckpoint.Save(options.CheckpointDirectory!, step, fingerprint, generator, optimizer, terms, options.CheckpointsToKeep, proxy);
    }

    private static ModelCard Card(GeneratorTrainingOptions options, ImageDataset dataset, ConceptClusters clusters, string version, long steps,
        IReadOnlyDictionary<string, double> terms, PerturbationGenerator generator)
    {
        var inv = CultureInfo.InvariantCulture;
        var stats = dataset.Statistics;
        string sample = options.MaxImages is { } cap
            ? string.Create(inv, $"{options.Sampling.ToString().ToLowerInvariant()} sample of at most {cap:N0}, seed {options.Seed}")
            : "all images";
        string trainingData = string.Create(inv,
            $"{dataset.Description}: {dataset.Count:N0} images ({sample}) at {options.ImageSize} px; {stats.Skipped:N0} file(s) skipped; labels not used");

        bool enoughSteps = steps >= options.MinimumStepsForTrained;
        bool enoughImages = dataset.Count >= options.MinimumImagesForTrained;
        var eot = options.Eot;
        var notes = new List<string>
        {
            string.Create(inv, $"Loss {LossName(options.Loss)}, K = {clusters.K} k-means concepts of ResNet-18 surrogate features at {options.EffectiveSurrogateSize} px (sizes {string.Join("/", clusters.ClusterSizes())})")
                + options.Loss switch
                {
                    GeneratorLossKind.Misdirection => string.Create(inv, $", temperature {options.Temperature}, away weight {options.AwayWeight}."),
                    GeneratorLossKind.MinMin => string.Create(inv, $", against a from-scratch ResNet-20 stand-in victim at {options.ProxySize} px (Adam lr {options.ProxyLearningRate})."),
                    _ => string.Create(inv, $", temperature {options.Temperature}."),
                },
            string.Create(inv, $"Adam lr {options.LearningRate}, batch {options.BatchSize}, seed {options.Seed}."),
            string.Create(inv, $"EOT p(crop) {eot.CropProbability}, p(flip) {eot.FlipProbability}, p(rescale {eot.MinRescale}-1) {eot.RescaleProbability}, p(blur) {eot.BlurProbability}, p(gray) {eot.GrayscaleProbability}, p(jpeg q{eot.MinJpegQuality}-{eot.MaxJpegQuality}) {eot.JpegProbability}."),
            "Final step: " + string.Join(", ", terms.Select(t => string.Create(inv, $"{t.Key} {t.Value:0.####}"))) + ".",
            "Protection not yet measured by the victim benchmark.",
        };
        if (!enoughSteps || !enoughImages)
        {
            notes.Add(string.Create(inv,
                $"{ModelCard.UntrainedWarning}: a smoke run ({steps:N0} steps on {dataset.Count:N0} images; a trained model needs at least {options.MinimumStepsForTrained:N0} steps and {options.MinimumImagesForTrained:N0} images)."));
        }

        return new ModelCard
        {
            Version = version,
            Trained = enoughSteps && enoughImages,
            Architecture = generator.Architecture,
            Parameters = generator.ParameterCount,
            WorkingSize = options.ImageSize,
            Epsilon = options.Epsilon,
            Weights = new ModelWeightsFile("generator.safetensors", "safetensors", ""),
            TrainingData = trainingData,
            TrainingSteps = steps,
            Created = DateTimeOffset.UtcNow,
            Notes = string.Join(" ", notes),
        };
    }

    /// <summary>
    /// Identifies a run: the photos (paths and pixels) and every setting that changes the optimisation, but not the
    /// step count, so that a finished run can be extended with more steps.
    /// </summary>
    private static string Fingerprint(GeneratorTrainingOptions options, ImageDataset dataset)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var settings = new
        {
            options.ImageSize,
            options.EffectiveSurrogateSize,
            options.K,
            Loss = options.Loss.ToString(),
            options.Epsilon,
            options.BatchSize,
            options.LearningRate,
            options.Seed,
            options.Temperature,
            options.AwayWeight,
            options.Architecture,
            options.Eot,
        };
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(settings, ModelCard.JsonOptions));
        // Appended only when they matter, so the runs of the other losses keep their fingerprints (and checkpoints).
        if (options.Architecture.IsOwnerKeyed)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.ProxySize, options.ProxyLearningRate, options.PseudoOwners, options.EpisodeSteps }, ModelCard.JsonOptions));
        else if (options.Loss == GeneratorLossKind.MinMin)
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new { options.ProxySize, options.ProxyLearningRate }, ModelCard.JsonOptions));
        for (int i = 0; i < dataset.Count; i++)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(dataset.Paths[i] + "\n"));
            hash.AppendData(dataset.Pixels(i).Span);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A concept-poison run's crafting network: its run's fingerprint (photos, concepts) and the settings of the fit itself.</summary>
    private static string CraftingFingerprint(string fingerprint, GeneratorTrainingOptions options)
    {
        var settings = JsonSerializer.SerializeToUtf8Bytes(new { fingerprint, options.ProxySize, options.CraftingEpochs }, ModelCard.JsonOptions);
        return Convert.ToHexStringLower(SHA256.HashData(settings));
    }

    /// <summary>The loss as the CLI spells it.</summary>
    public static string LossName(GeneratorLossKind kind) => kind switch
    {
        GeneratorLossKind.MinMin => "min-min",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static void Report(IProgress<TrainingProgress>? progress, TrainingPhase phase, long step, long total, string? message,
        IReadOnlyDictionary<string, double>? terms = null) =>
        progress?.Report(new TrainingProgress(phase, step, total, terms ?? new Dictionary<string, double>(), 0, null, message));
}
