using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Training.Transforms;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Files;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Fits an <see cref="OwnerTextureGenerator"/> without labels, by min-min against stand-in victims that learn
/// pseudo-owners. Each episode draws fresh random keys for <see cref="GeneratorTrainingOptions.PseudoOwners"/>
/// pseudo-owners and a freshly initialised stand-in victim (the architectures of
/// <see cref="GeneratorTrainingOptions.StandInVictims"/> in turn); every step gives each photo of the batch a random pseudo-owner (or
/// none: the clean class), adds that owner's texture at a random offset, shows the victim what an attacker's pipeline
/// would (a crop of 30-100 % of the photo at any position, resized to the victim's size, flips, sometimes grey, blur, a
/// halving and JPEG), and moves the victim and the atoms together to lower the victim's loss. The groups are random, so
/// the content says nothing about the owner and only the texture can be learned: the atoms become what a network that
/// starts from scratch reads fastest, under those transforms. Fresh victims each episode keep it about learning from
/// scratch, fresh keys keep it about every key rather than a few.
/// </summary>
public static class OwnerTextureTrainer
{
    private const int StepStream = 11;
    private const int EpisodeStream = 12;
    private const int DistinctKeysStream = 13;
    private const int FreshStandInStream = 14;
    private const int LoudViewStream = 15;

    /// <summary>The progress term of the from-scratch stand-in's loss (<see cref="GeneratorTrainingOptions.FreshStandInBesideKept"/>).</summary>
    public const string FreshStandInLossTerm = "fresh stand-in's loss";

    /// <summary>
    /// With <see cref="GeneratorTrainingOptions.LoudViewProbability"/>, the share of the owned photos at the step's
    /// amplitude (not the loud ones) that the stand-in names right: whether it reads the texture at the budget.
    /// </summary>
    public const string QuietOwnedAccuracyTerm = "owned accuracy at the step's amplitude";

    /// <summary>Random keys per step whose tiles the key-distinctness term compares pairwise (120 pairs).</summary>
    public const int DistinctKeysPerStep = 16;

    /// <summary>
    /// Overlap (<see cref="KeyOverlap"/>) a pair of keys may have before the distinctness term pushes them apart. Two
    /// keys that share one of their two atoms under the same colour order and orientation overlap by about 0.5 whatever
    /// the atoms are (an atom a key gives half its power overlaps by the square root of the product of the shares), and
    /// the remover's grating check already tells them apart (the other key's second grating is missing); keys whose
    /// power sits in one grating they share overlap by 0.7-1 and pass both of the remover's bars. The margin lies between.
    /// </summary>
    public const double DistinctKeysMargin = 0.45;

    /// <summary>The hard-owner weights stay within this factor of 1 either way, so one owner cannot take all of a step.</summary>
    public const double HardOwnerWeightLimit = 4;

    /// <summary>Weight of a step's loss in an owner's running loss (about the last 10 steps of the episode).</summary>
    private const double OwnerLossSmoothing = 0.1;
    private const int CropGroups = 4;
    private const double CurriculumStartFactor = 3;

    /// <summary>The part of an episode over which <see cref="GeneratorTrainingOptions.EpisodeWarmUp"/> falls to epsilon.</summary>
    public const double EpisodeWarmUpFraction = 0.5;
    private const string CheckpointFile = "owner-texture-checkpoint.safetensors";
    private const string CheckpointManifestFile = "owner-texture-checkpoint.json";
    private const string StandInCheckpointFile = "owner-texture-stand-in.safetensors";

    public static TrainingResult Fit(GeneratorTrainingOptions options, ImageDataset dataset, string fingerprint, ModelRegistry registry, string version,
        IProgress<TrainingProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataset);
        var device = ComputeDevice.Select(options.Device);
        using var generator = new OwnerTextureGenerator((OwnerTextureFamily)options.Architecture.Family!);
        generator.Reset(options.Seed);
        long start = RestoreCheckpoint(options, fingerprint, generator);
        if (start > 0)
            progress?.Report(new TrainingProgress(TrainingPhase.Resumed, start, options.Steps, new Dictionary<string, double>(), 0, null,
                $"Resumed from the checkpoint of step {start:N0} (a new episode starts there)"));
        generator.to(device);
        using var atomsOptimizer = new Adam(generator.parameters(), options.LearningRate);

        var terms = new Dictionary<string, double>();
        var victim = start > 0 && options.KeepStandIns ? RestoreStandIn(options, device) : null;
        SGD? victimOptimizer = null;
        nn.Module<Tensor, Tensor>? fresh = null;
        SGD? freshOptimizer = null;
        TextureKey[] keys = [];
        double[] ownerLosses = [];
        EpisodeKind kind = EpisodeKind.Plain;
        AttackerPipeline? attacker = null;
        double episodeLoss = 0, episodeFreshLoss = 0, smoothed = double.NaN;
        int episodeSteps = 0;
        long timedSteps = 0, completed = start;
        double timedSeconds = 0;
        try
        {
            for (long step = start + 1; step <= options.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long began = Stopwatch.GetTimestamp();
                if (victimOptimizer is null || (step - 1) % options.EpisodeSteps == 0)
                {
                    string? summary = episodeSteps > 0
                        ? string.Create(CultureInfo.InvariantCulture,
                            $"{EpisodeName(kind)}episode ended: mean loss {episodeLoss / episodeSteps:0.000}{(fresh is null ? "" : $" (the from-scratch stand-in's: {episodeFreshLoss / episodeSteps:0.000})")} over {episodeSteps} steps{(attacker is null ? "" : $" (attacker: {attacker})")}")
                        : null;
                    victimOptimizer?.Dispose();
                    var kept = options.KeepStandIns ? victim : null;
                    if (kept is null)
                        victim?.Dispose();
                    (victim, victimOptimizer, keys, kind, attacker) = NewEpisode(options, generator, step, device, kept);
                    freshOptimizer?.Dispose();
                    fresh?.Dispose();
                    (fresh, freshOptimizer) = options.FreshStandInBesideKept ? NewFreshStandIn(options, step, device) : (null, null);
                    ownerLosses = Enumerable.Repeat(double.NaN, keys.Length).ToArray();
                    episodeLoss = 0;
                    episodeFreshLoss = 0;
                    episodeSteps = 0;
                    if (summary is not null)
                        progress?.Report(new TrainingProgress(TrainingPhase.Training, step - 1, options.Steps, terms, 0, null, summary, smoothed));
                }

                double grayProbability = kind switch { EpisodeKind.Grey => 1, EpisodeKind.Readable => 0, _ => options.GrayProbability };
                double scale = AmplitudeScale(options, step);
                (nn.Module<Tensor, Tensor>, SGD)[] standIns = fresh is null ? [(victim!, victimOptimizer!)] : [(victim!, victimOptimizer!), (fresh, freshOptimizer!)];
                terms = LibTorchRetry.Run(
                    () => Step(options, dataset, generator, standIns, atomsOptimizer, keys, ownerLosses, grayProbability, attacker, scale, step, device),
                    error => progress?.Report(new TrainingProgress(TrainingPhase.Training, step - 1, options.Steps, terms, 0, null,
                        $"Step {step:N0} failed in libtorch ({LibTorchRetry.Describe(error)}); running it again")));
                double loss = terms["loss"];
                if (!double.IsFinite(loss))
                    throw new InvalidOperationException($"The loss is {loss} at step {step}; lower the learning rates.");
                episodeLoss += loss;
                episodeFreshLoss += terms.GetValueOrDefault(FreshStandInLossTerm);
                episodeSteps++;
                smoothed = double.IsNaN(smoothed) ? loss : smoothed + 0.05 * (loss - smoothed);
                completed = step;

                double seconds = Stopwatch.GetElapsedTime(began).TotalSeconds;
                if (step > start + 1)
                {
                    timedSeconds += seconds;
                    timedSteps++;
                }
                double perStep = timedSteps > 0 ? timedSeconds / timedSteps : seconds;
                terms["epsilon"] = scale * 255;
                progress?.Report(new TrainingProgress(TrainingPhase.Training, step, options.Steps, terms, options.BatchSize / perStep,
                    TimeSpan.FromSeconds(perStep * (options.Steps - step)), null, smoothed));

                if (options.CheckpointDirectory is not null && step % options.CheckpointInterval == 0)
                {
                    SaveCheckpoint(options, fingerprint, generator, victim, step);
                    progress?.Report(new TrainingProgress(TrainingPhase.Checkpointing, step, options.Steps, terms, 0, null,
                        $"Checkpoint of step {step:N0} written"));
                }
            }
        }
        catch (OperationCanceledException) when (options.CheckpointDirectory is not null && completed > start)
        {
            // Stopped between steps: keep the last completed one, so the same command (or a restarted job) resumes there.
            SaveCheckpoint(options, fingerprint, generator, victim, completed);
            throw;
        }
        finally
        {
            victimOptimizer?.Dispose();
            victim?.Dispose();
            freshOptimizer?.Dispose();
            fresh?.Dispose();
        }

        var inv = CultureInfo.InvariantCulture;
        long stepsDone = completed;
        bool trained = stepsDone >= options.MinimumStepsForTrained && dataset.Count >= options.MinimumImagesForTrained;
        string notes = string.Create(inv,
            $"{options.Architecture.Name}: {generator.AtomCount} texture atoms of {OwnerTextureGenerator.Period}x{OwnerTextureGenerator.Period} canvas pixels, ")
            + string.Create(inv, $"{OwnerTextureGenerator.AtomsPerKey} chosen by the owner's key; fitted by min-min against ")
            + (options.KeepStandIns
                ? $"one stand-in victim ({VictimArchitectures.Name(options.StandInVictims[0])}) kept through the run "
                    + (options.FreshStandInBesideKept ? "beside a from-scratch one per episode, the atoms following the mean of their losses " : "")
                : $"from-scratch stand-in victims ({string.Join(" and ", options.StandInVictims.Select(VictimArchitectures.Name))}, one per episode in turn) ")
            + string.Create(inv, $"({options.PseudoOwners} pseudo-owners with random keys over random groups of the photos, ")
            + string.Create(inv, $"{(options.KeepStandIns ? $"new keys{(options.FreshStandInBesideKept ? ", a new from-scratch victim" : "")} and a new classifier" : "a new victim and new keys")} every {options.EpisodeSteps} steps, ")
            + string.Create(inv, $"victims at {(options.DrawsProxySize ? $"{options.SmallestProxySize}-" : "")}{options.ProxySize} px after crops of 30-100 % of the photo, grey with probability {options.GrayProbability} per photo and {options.GrayEpisodeProbability} per episode, JPEG 60-95 with probability {options.JpegProbability}")
            + (options.HalvingProbability != GeneratorTrainingOptions.DefaultHalvingProbability
                ? string.Create(inv, $", a halving with probability {options.HalvingProbability}")
                : "")
            + (options.CurriculumFraction != GeneratorTrainingOptions.DefaultCurriculumFraction
                ? string.Create(inv, $", the amplitude falling from {CurriculumStartFactor} times epsilon to it over the first {options.CurriculumFraction:0%} of the run")
                : "")
            + (options.LoudViewProbability > 0
                ? string.Create(inv, $", a share {options.LoudViewProbability} of the owned photos at {CurriculumStartFactor} times epsilon all run")
                : "")
            + options.LoudViewAtomGradient switch
            {
                1 => "",
                0 => " teaching the stand-in only (the atoms follow the photos at the budget)",
                var weight => string.Create(inv, $", their gradient to the atoms weighted {weight}"),
            }
            + (options.KeyDistinctnessWeight > 0
                ? string.Create(inv, $", key distinctness weighted {options.KeyDistinctnessWeight} (pairs of {DistinctKeysPerStep} random keys per step over an overlap of {DistinctKeysMargin})")
                : "")
            + (options.AttackerPerEpisode
                ? ", one attacker's pipeline per episode (view size, crop side within 10 %, blur, halving and JPEG drawn per episode, not per step)"
                : "")
            + (options.ReadableEpisodeProbability > 0
                ? string.Create(inv, $", a readable attacker in a share {options.ReadableEpisodeProbability} of episodes (one pipeline for the episode at {options.ProxySize} px, without JPEG and grey)")
                : "")
            + (options.EpisodeWarmUp > 1
                ? string.Create(inv, $", each episode's stand-in warmed up at {options.EpisodeWarmUp} times epsilon falling to it over the first {EpisodeWarmUpFraction:0%} of the episode")
                : "")
            + (options.HardOwnerEmphasis > 0
                ? string.Create(inv, $", hard owners emphasised to the power {options.HardOwnerEmphasis} (atoms' gradient per owner by its running loss, within {HardOwnerWeightLimit}x)")
                : "")
            + "); labels not used. "
            + (trained ? "" : string.Create(inv, $"{ModelCard.UntrainedWarning}: {stepsDone:N0} steps on {dataset.Count:N0} photos. "))
            + "Protection is what the identity benchmark measures (docs/evaluation.md).";
        generator.eval();
        var saved = GeneratorTrainer.SaveFitted(options, dataset, registry, version, generator, trained, stepsDone, notes, terms, progress, clock,
            cancellationToken);
        return saved with
        {
            ResumedFromStep = start,
            StepsRun = stepsDone - start,
            MeanStepTime = timedSteps > 0 ? TimeSpan.FromSeconds(timedSeconds / timedSteps) : null,
        };
    }

    /// <summary>
    /// The texture's amplitude at a step: from <see cref="CurriculumStartFactor"/> times epsilon down to epsilon over
    /// the first <see cref="GeneratorTrainingOptions.CurriculumFraction"/> of the run, then epsilon. A from-scratch
    /// victim does not pick up a random +-8 texture within an episode, so the atoms would get no useful gradient; a
    /// louder texture is learned at once, and the atoms are then shaped to stay learnable as it quietens to the budget.
    /// </summary>
    private static double CurriculumScale(GeneratorTrainingOptions options, long step)
    {
        double progress = Math.Min(1, step / (options.CurriculumFraction * options.Steps));
        return options.Epsilon * (CurriculumStartFactor + (1 - CurriculumStartFactor) * progress) / 255.0;
    }

    /// <summary>
    /// The texture's amplitude at a step, as a fraction of the pixel range: the run's curriculum, or the episode's warm-up
    /// (<see cref="GeneratorTrainingOptions.EpisodeWarmUp"/>) where that is louder.
    /// </summary>
    internal static double AmplitudeScale(GeneratorTrainingOptions options, long step)
    {
        double run = CurriculumScale(options, step);
        if (options.EpisodeWarmUp <= 1)
            return run;
        long stepInEpisode = (step - 1) % options.EpisodeSteps;
        double progress = Math.Min(1, stepInEpisode / (EpisodeWarmUpFraction * options.EpisodeSteps));
        double episode = options.Epsilon * (options.EpisodeWarmUp + (1 - options.EpisodeWarmUp) * progress) / 255.0;
        return Math.Max(run, episode);
    }

    /// <summary>
    /// Each photo's amplitude with <see cref="GeneratorTrainingOptions.LoudViewProbability"/>: the curriculum's loudest
    /// (or the step's, if louder) with that probability, the step's otherwise. Drawn from a stream of its own, so that the
    /// batch's photos, owners and views are the ones a run without loud views draws.
    /// </summary>
    internal static Tensor ViewAmplitudes(GeneratorTrainingOptions options, long step, int batch, double scale, Device device)
    {
        var random = new Random(StepSeeds.Mix(options.Seed, step, LoudViewStream));
        double loud = Math.Max(scale, CurriculumScale(options, 0));
        var amplitudes = new float[batch];
        for (int i = 0; i < batch; i++)
            amplitudes[i] = (float)(random.NextDouble() < options.LoudViewProbability ? loud : scale);
        return tensor(amplitudes, [batch, 1, 1, 1], device: device);
    }

    /// <summary>An episode's views: grey at the run's rate, every one grey, or a readable attacker's (at the largest size, no grey, no JPEG).</summary>
    private enum EpisodeKind { Plain, Grey, Readable }

    private static string EpisodeName(EpisodeKind kind) => kind switch { EpisodeKind.Grey => "grey ", EpisodeKind.Readable => "readable ", _ => "" };

    /// <summary>
    /// A new episode's stand-in, keys and views. With <paramref name="kept"/> (<see cref="GeneratorTrainingOptions.KeepStandIns"/>)
    /// the stand-in is that one with a fresh classifier; otherwise a fresh network.
    /// </summary>
    private static (nn.Module<Tensor, Tensor> Victim, SGD Optimizer, TextureKey[] Keys, EpisodeKind Kind, AttackerPipeline? Attacker) NewEpisode(GeneratorTrainingOptions options, OwnerTextureGenerator generator, long step, Device device,
        nn.Module<Tensor, Tensor>? kept)
    {
        int seed = StepSeeds.Mix(options.Seed, step, EpisodeStream);
        var victim = kept ?? NewStandIn(options, step);
        using (var initialisation = new TorchSharp.torch.Generator(unchecked((ulong)seed)))
        {
            if (kept is null)
                VictimInitialisation.Apply(victim, initialisation);
            else
                VictimInitialisation.ResetClassifier(victim, initialisation);
        }
        var optimizer = ReadyToTrain(options, victim, device);
        var random = new Random(seed);
        var keys = RandomKeys(random, options.PseudoOwners, generator);
        // Drawn after the keys, so that runs without grey episodes keep the keys they had before the option existed.
        bool grey = options.GrayEpisodeProbability > 0 && random.NextDouble() < options.GrayEpisodeProbability;
        var attacker = options.AttackerPerEpisode ? AttackerPipeline.Draw(options, random) : null;
        // Drawn last, for the same reason. A readable episode is at the largest view size, neither grey nor compressed,
        // whatever else was drawn: at 34 px without JPEG or grey a fresh stand-in still stayed at chance at the budget.
        if (options.ReadableEpisodeProbability > 0 && random.NextDouble() < options.ReadableEpisodeProbability)
            return (victim, optimizer, keys, EpisodeKind.Readable,
                (attacker ?? AttackerPipeline.Draw(options, random)) with { ViewSize = options.ProxySize, JpegQuality = null });
        return (victim, optimizer, keys, grey ? EpisodeKind.Grey : EpisodeKind.Plain, attacker);
    }

    private static nn.Module<Tensor, Tensor> NewStandIn(GeneratorTrainingOptions options, long step) =>
        VictimArchitectures.Create(options.StandInVictims[(int)((step - 1) / options.EpisodeSteps % options.StandInVictims.Count)], options.PseudoOwners + 1);

    /// <summary>
    /// The episode's from-scratch stand-in beside the kept one (<see cref="GeneratorTrainingOptions.FreshStandInBesideKept"/>),
    /// initialised from its own stream so that it is not the kept stand-in's twin.
    /// </summary>
    private static (nn.Module<Tensor, Tensor> Victim, SGD Optimizer) NewFreshStandIn(GeneratorTrainingOptions options, long step, Device device)
    {
        var victim = NewStandIn(options, step);
        using (var initialisation = new TorchSharp.torch.Generator(unchecked((ulong)StepSeeds.Mix(options.Seed, step, FreshStandInStream))))
            VictimInitialisation.Apply(victim, initialisation);
        return (victim, ReadyToTrain(options, victim, device));
    }

    /// <summary>Moves an episode's stand-in to the device in training mode and gives it a new optimiser.</summary>
    private static SGD ReadyToTrain(GeneratorTrainingOptions options, nn.Module<Tensor, Tensor> victim, Device device)
    {
        victim.to(device);
        victim.train();
        return optim.SGD(victim.parameters(), options.ProxyLearningRate, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
    }

    /// <summary>Keys of random 32-byte owner keys for the generator's atoms, as the gateway's HMAC keys are to it.</summary>
    private static TextureKey[] RandomKeys(Random random, int count, OwnerTextureGenerator generator)
    {
        var keys = new TextureKey[count];
        var key = new byte[32];
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(key);
            keys[i] = generator.KeyFor(key);
        }
        return keys;
    }

    private static Dictionary<string, double> Step(GeneratorTrainingOptions options, ImageDataset dataset, OwnerTextureGenerator generator,
        (nn.Module<Tensor, Tensor> Victim, SGD Optimizer)[] standIns, Adam atomsOptimizer, TextureKey[] keys, double[] ownerLosses, double grayProbability,
        AttackerPipeline? attacker, double scale, long step, Device device)
    {
        using var scope = NewDisposeScope();
        var random = new Random(StepSeeds.Mix(options.Seed, step, StepStream));
        int batch = options.BatchSize, owners = keys.Length;
        var indices = new int[batch];
        var labels = new long[batch];
        var shiftY = new int[batch];
        var shiftX = new int[batch];
        var batchKeys = new TextureKey[batch];
        for (int i = 0; i < batch; i++)
        {
            indices[i] = random.Next(dataset.Count);
            labels[i] = random.Next(owners + 1);   // the last label: no owner, a clean photo
            shiftY[i] = random.Next(OwnerTextureGenerator.Period);
            shiftX[i] = random.Next(OwnerTextureGenerator.Period);
            batchKeys[i] = keys[labels[i] < owners ? labels[i] : 0];   // a clean photo's texture is drawn, then masked out
        }

        var clean = dataset.Batch(indices, device);
        long size = clean.shape[2];
        var tiles = generator.Tiles(batchKeys);
        var texture = OwnerTextureGenerator.Render(tiles, size, size, shiftY, shiftX);
        var owned = tensor(labels.Select(l => l < owners ? 1f : 0f).ToArray(), [batch, 1, 1, 1], device: device);
        if (options.HardOwnerEmphasis > 0)
            texture = EmphasiseHardOwners(texture, HardOwnerWeights(ownerLosses, options.HardOwnerEmphasis), labels);
        var shaped = texture * owned;
        var amplitudes = options.LoudViewProbability > 0 ? ViewAmplitudes(options, step, batch, scale, device) : null;
        // The photos at the step's amplitude, as the atoms' gradient and the quiet-accuracy term both mean them.
        var quiet = amplitudes?.le((float)scale);
        if (quiet is not null && options.LoudViewAtomGradient < 1)
        {
            // The same pixels (to rounding); only the loud photos' path to the atoms is scaled (at 0, cut). At 0 each
            // photo's weight is exactly 0 or 1, so those runs keep the pixels' bits, as the switch this replaced did.
            var atomGradient = quiet.to(float32) * (1 - options.LoudViewAtomGradient) + options.LoudViewAtomGradient;
            shaped = shaped * atomGradient + shaped.detach() * (1 - atomGradient);
        }
        var perturbed = (clean + (amplitudes is null ? shaped * scale : shaped * amplitudes)).clamp(0, 1);

        var view = AttackerView(perturbed, options, attacker, grayProbability, random);
        var target = tensor(labels, device: device);
        var input = VictimInput.Normalise(view);
        var logits = standIns[0].Victim.call(input);
        // Per photo only when the emphasis needs it: the mean of the per-photo losses need not be the fused mean's bits,
        // and runs without the emphasis keep the bits they had before it existed.
        var losses = options.HardOwnerEmphasis > 0 ? nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.None) : null;
        var loss = losses is null ? nn.functional.cross_entropy(logits, target) : losses.mean();
        // A from-scratch stand-in beside the kept one: the atoms follow the mean of both losses. Each stand-in's own
        // gradient comes from its own loss alone, since neither's parameters reach the other's logits.
        Tensor? freshLoss = standIns.Length > 1 ? nn.functional.cross_entropy(standIns[1].Victim.call(input), target) : null;
        var objective = freshLoss is null ? loss : (loss + freshLoss) * 0.5;
        Tensor? overlaps = null;
        if (options.KeyDistinctnessWeight > 0)
        {
            var others = RandomKeys(new Random(StepSeeds.Mix(options.Seed, step, DistinctKeysStream)), DistinctKeysPerStep, generator);
            (var penalty, overlaps) = KeyOverlap.Of(generator.Tiles(others), DistinctKeysMargin);
            objective = objective + penalty * options.KeyDistinctnessWeight;
        }
        foreach (var (_, optimizer) in standIns)
            optimizer.zero_grad();
        atomsOptimizer.zero_grad();
        objective.backward();
        foreach (var (_, optimizer) in standIns)
            optimizer.step();
        atomsOptimizer.step();

        if (losses is not null)
            UpdateOwnerLosses(ownerLosses, losses.detach().cpu().data<float>().ToArray(), labels);

        var hits = logits.argmax(1).eq(target);
        var isOwned = owned.view(-1).gt(0.5f);
        double ownedCount = isOwned.sum().item<long>();
        var terms = new Dictionary<string, double>
        {
            ["loss"] = loss.item<float>(),
            ["accuracy"] = hits.to(float32).mean().item<float>(),
        };
        if (freshLoss is not null)
            terms[FreshStandInLossTerm] = freshLoss.item<float>();
        // A small batch may hold no owned photo: then there is no such accuracy (and NaN would not survive JSON).
        if (ownedCount > 0)
            terms["owned accuracy"] = hits.logical_and(isOwned).sum().item<long>() / ownedCount;
        if (quiet is not null)
        {
            var quietOwned = isOwned.logical_and(quiet.view(-1));
            double quietCount = quietOwned.sum().item<long>();
            if (quietCount > 0)
                terms[QuietOwnedAccuracyTerm] = hits.logical_and(quietOwned).sum().item<long>() / quietCount;
        }
        if (options.HardOwnerEmphasis > 0 && ownerLosses.Any(double.IsFinite))
            terms["hardest owner's weight"] = HardOwnerWeights(ownerLosses, options.HardOwnerEmphasis).Max();
        if (overlaps is not null)
        {
            terms["key overlap"] = overlaps.mean().item<float>();
            terms["key pairs over the margin"] = overlaps.gt(DistinctKeysMargin).to(float32).mean().item<float>();
        }
        return terms;
    }

    /// <summary>
    /// Each pseudo-owner's weight for the atoms' gradient: its running loss over the owners' mean, to the power of the
    /// emphasis, within <see cref="HardOwnerWeightLimit"/> of 1; 1 for an owner not seen yet this episode.
    /// </summary>
    internal static double[] HardOwnerWeights(IReadOnlyList<double> ownerLosses, double emphasis)
    {
        var seen = ownerLosses.Where(double.IsFinite).ToList();
        double mean = seen.Count > 0 ? seen.Average() : double.NaN;
        return [.. ownerLosses.Select(l => double.IsFinite(l) && mean > 0
            ? Math.Clamp(Math.Pow(l / mean, emphasis), 1 / HardOwnerWeightLimit, HardOwnerWeightLimit)
            : 1)];
    }

    /// <summary>
    /// The same texture forward, with each owned photo's gradient scaled by its owner's weight: the stand-in's own
    /// gradient does not pass through the texture, so it still learns from the plain mean loss.
    /// </summary>
    internal static Tensor EmphasiseHardOwners(Tensor texture, double[] weights, long[] labels)
    {
        var perPhoto = labels.Select(l => l < weights.Length ? (float)weights[l] : 1f).ToArray();
        var scale = tensor(perPhoto, [perPhoto.Length, 1, 1, 1], device: texture.device);
        var frozen = texture.detach();
        // frozen + (texture - frozen) x w is texture to the bit, and its gradient is w times texture's.
        return frozen + (texture - frozen) * scale;
    }

    private static void UpdateOwnerLosses(double[] ownerLosses, float[] losses, long[] labels)
    {
        for (int owner = 0; owner < ownerLosses.Length; owner++)
        {
            var mine = losses.Where((_, i) => labels[i] == owner).ToList();
            if (mine.Count == 0)
                continue;
            double mean = mine.Average();
            ownerLosses[owner] = double.IsFinite(ownerLosses[owner]) ? ownerLosses[owner] + OwnerLossSmoothing * (mean - ownerLosses[owner]) : mean;
        }
    }

    /// <summary>
    /// What an attacker's pipeline makes of whole photos: per group of the batch a crop of 30-100 % of the side at a random
    /// position, resized to the victim's size (antialiased when shrinking), then flips, and sometimes grey, blur, a
    /// halving and JPEG. With the episode's <paramref name="attacker"/>, its view size, crop side (jittered per group),
    /// blur, halving and JPEG instead of a draw per step; positions, flips and grey stay per photo.
    /// </summary>
    private static Tensor AttackerView(Tensor photos, GeneratorTrainingOptions options, AttackerPipeline? attacker, double grayProbability, Random random)
    {
        using var scope = NewDisposeScope();
        int size = attacker?.ViewSize ?? AttackerPipeline.DrawViewSize(options, random);
        long count = photos.shape[0], side = photos.shape[2];
        long group = (count + CropGroups - 1) / CropGroups;
        var parts = new List<Tensor>();
        for (long first = 0; first < count; first += group)
        {
            long n = Math.Min(group, count - first);
            double share = attacker?.GroupCropSide(random) ?? AttackerPipeline.DrawCropSide(random);
            long crop = Math.Max(8, (long)Math.Round(side * share));
            long top = random.NextInt64(side - crop + 1), left = random.NextInt64(side - crop + 1);
            var window = photos.narrow(0, first, n).narrow(2, top, crop).narrow(3, left, crop);
            parts.Add(SquareResize.To(window, size));
        }
        var x = cat(parts, 0);
        x = HorizontalFlip.Apply(x, PerImageDraw.Mask(random, count, 0.5));
        x = Grayscale.Apply(x, PerImageDraw.Mask(random, count, grayProbability));
        if ((attacker is null ? AttackerPipeline.DrawBlurSigma(random) : attacker.BlurSigma) is { } sigma)
            x = GaussianBlur.Apply(x, sigma);
        if (attacker?.Halves ?? AttackerPipeline.DrawHalves(random, options.HalvingProbability))
            x = Rescale.Apply(x, 0.5);
        if ((attacker is null ? AttackerPipeline.DrawJpegQuality(random, options.JpegProbability) : attacker.JpegQuality) is { } quality)
            x = DifferentiableJpeg.Apply(x, quality);
        return x.clamp(0, 1).MoveToOuterDisposeScope();
    }

    private static void SaveCheckpoint(GeneratorTrainingOptions options, string fingerprint, OwnerTextureGenerator generator,
        nn.Module<Tensor, Tensor>? standIn, long step)
    {
        var directory = options.CheckpointDirectory!;
        Directory.CreateDirectory(directory);
        var stepTag = new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) };
        // The kept stand-in first: the manifest, written last, is what says the checkpoint is whole.
        if (options.KeepStandIns && standIn is not null)
            AtomicFile.Write(Path.Combine(directory, StandInCheckpointFile), SafeTensorsFormat.Write(GeneratorWeights.Export(standIn), stepTag));
        AtomicFile.Write(Path.Combine(directory, CheckpointFile), SafeTensorsFormat.Write(GeneratorWeights.Export(generator), stepTag));
        AtomicFile.Write(Path.Combine(directory, CheckpointManifestFile), JsonSerializer.SerializeToUtf8Bytes(new OwnerTextureCheckpoint(step, fingerprint)));
    }

    /// <summary>
    /// The kept stand-in of the checkpoint a run resumed from (<see cref="GeneratorTrainingOptions.KeepStandIns"/>), or
    /// null if it saved none. Without it a resumed run would go on with a fresh stand-in, which does not read
    /// the texture at the budget.
    /// </summary>
    private static nn.Module<Tensor, Tensor>? RestoreStandIn(GeneratorTrainingOptions options, Device device)
    {
        var path = Path.Combine(options.CheckpointDirectory!, StandInCheckpointFile);
        if (!File.Exists(path))
            return null;
        var standIn = NewStandIn(options, 1);
        GeneratorWeights.Import(standIn, SafeTensorsFormat.Read(File.ReadAllBytes(path)));
        return standIn.to(device);
    }

    /// <summary>The step of the checkpoint restored into <paramref name="generator"/>, or 0 without one.</summary>
    private static long RestoreCheckpoint(GeneratorTrainingOptions options, string fingerprint, OwnerTextureGenerator generator)
    {
        if (options.CheckpointDirectory is null)
            return 0;
        var manifestPath = Path.Combine(options.CheckpointDirectory, CheckpointManifestFile);
        if (!File.Exists(manifestPath))
            return 0;
        var manifest = JsonSerializer.Deserialize<OwnerTextureCheckpoint>(File.ReadAllText(manifestPath))
            ?? throw new InvalidOperationException($"'{manifestPath}' is empty.");
        if (manifest.Fingerprint != fingerprint)
            throw new InvalidOperationException(
                $"The checkpoint in '{options.CheckpointDirectory}' belongs to another run (different data or settings); use another checkpoint folder.");
        GeneratorWeights.Import(generator, SafeTensorsFormat.Read(File.ReadAllBytes(Path.Combine(options.CheckpointDirectory, CheckpointFile))));
        return manifest.Step;
    }

    private sealed record OwnerTextureCheckpoint(long Step, string Fingerprint);
}
