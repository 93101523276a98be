using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Everything a <see cref="GeneratorTrainer"/> run needs; plain data, so an HTTP endpoint can bind it. The defaults are the
/// recipe of the active model, <c>0.10.0-owner-texture-multisize</c> (two coarse gratings, epsilon 10, key distinctness
/// 10, stand-ins at 32-64 px: docs/training.md), for the CLI and the admin endpoint alike, so that a retrain makes a model of the kind that is measured.
/// </summary>
public sealed record GeneratorTrainingOptions
{
    /// <summary>A folder of photos or a .tar / .tar.gz archive. Labels (class folders) are never used.</summary>
    public required string DataSource { get; init; }

    /// <summary>Relative path prefix inside the source, e.g. <c>imagenette-224/train/</c>.</summary>
    public string? Subset { get; init; }

    public int? MaxImages { get; init; }

    /// <summary>Relative path prefixes left out of training (e.g. the people an identity benchmark evaluates on).</summary>
    public IReadOnlyList<string> ExcludePrefixes { get; init; } = [];

    public DatasetSampling Sampling { get; init; } = DatasetSampling.Random;

    /// <summary>Training resolution and the saved model's working size (multiple of 4).</summary>
    public int ImageSize { get; init; } = 128;

    /// <summary>L-infinity budget in 8-bit levels the texture is fitted at (after the amplitude curriculum).</summary>
    public int Epsilon { get; init; } = 10;

    /// <summary>Total optimiser steps of the run (a resumed run continues up to this).</summary>
    public long Steps { get; init; } = 3000;

    public int BatchSize { get; init; } = 64;

    /// <summary>The atoms' Adam learning rate.</summary>
    public double LearningRate { get; init; } = 0.02;

    /// <summary>Seeds the sample, the atoms' initialisation, the episodes' victims and keys, batches and transformations.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where checkpoints go and a run resumes from; null: no checkpoints.</summary>
    public string? CheckpointDirectory { get; init; }

    public int CheckpointInterval { get; init; } = 200;

    /// <summary>The architecture of a family with a <see cref="GeneratorFamily.TrainingName"/>: one of the <see cref="OwnerTextureFamily"/> layouts.</summary>
    public GeneratorArchitecture Architecture { get; init; } = OwnerTextureFamily.TwoCoarseGratings.Architecture;

    /// <summary>Probability that the stand-in victim's view of a photo is grey (the attacker's pipeline may grey photos).</summary>
    public double GrayProbability { get; init; } = 0.3;

    /// <summary>
    /// Probability that a whole episode's stand-in victim sees every photo grey, as the victim of an attacker who greys
    /// the whole training set does. Per-photo grey (<see cref="GrayProbability"/>) leaves a victim the colour of the other
    /// photos to learn from; a victim that never sees colour is meant to push the atoms to be readable in luminance too.
    /// Tried at 0.4 it made nothing readable in grey and less in colour (docs/training.md, "Grey episodes"), so 0.
    /// </summary>
    public double GrayEpisodeProbability { get; init; }

    /// <summary>
    /// Probability that a batch's views go through JPEG (quality 60-95) before the stand-in victim sees them. 0.7: at 0.3
    /// (0.6.0's recipe) an attacker's JPEG 75 brought an owner back (46.8 %); at 0.7 none came back (docs/evaluation.md).
    /// </summary>
    public double JpegProbability { get; init; } = 0.7;

    /// <summary>The halving probability of every shipped model.</summary>
    public const double DefaultHalvingProbability = 0.2;

    /// <summary>
    /// Probability that a batch's views are halved (and brought back to their size) before the stand-in victim sees them,
    /// as an attacker who downscales the photos. Tried at 0.5 (with JPEG at 0.85) against the attacker's downscaling and
    /// JPEG 75, the rows that come back first below the claimed budget: seed 1's owners came back more after both, not
    /// less (docs/evaluation.md, "More degraded views in training"), so 0.2, the share of every model before it existed.
    /// </summary>
    public double HalvingProbability { get; init; } = DefaultHalvingProbability;

    /// <summary>The curriculum fraction of every shipped model.</summary>
    public const double DefaultCurriculumFraction = 0.4;

    /// <summary>
    /// The share of the run over which the texture's amplitude falls from three times epsilon to epsilon. Fresh stand-ins
    /// read the texture only while it is about twice the budget or louder, so the atoms get a readable gradient from the
    /// first part of the curriculum alone (docs/training.md, "What keeps a fresh stand-in from learning at the budget"); a
    /// larger share gives that part more episodes. Tried at 0.8 (0.10.16): its stand-ins stopped reading at about 21
    /// levels, 13 of 15 owner results on five draws, and seed 1's owners came back after the attacker's JPEG 75 and
    /// downscaling (docs/evaluation.md, "A longer curriculum"), so 0.4.
    /// </summary>
    public double CurriculumFraction { get; init; } = DefaultCurriculumFraction;

    /// <summary>
    /// Probability that an owned photo's texture is at the curriculum's loudest amplitude (three times epsilon) for the
    /// whole run instead of the step's amplitude. After the curriculum a fresh stand-in no longer learns the texture at
    /// the budget, so the atoms follow a victim that reads nothing; a stand-in that learned the texture loud does read it
    /// at the budget (docs/training.md, "Long episodes", "Kept stand-ins"). With loud views beside quiet ones, each fresh
    /// stand-in learns from the loud ones and the quiet ones give the atoms a gradient at the budget. Tried at 0.5
    /// (0.10.17) on four draws: seed 1 held after the attacker's JPEG 75 and downscaling where the active recipe is not,
    /// 11 of 12 owner results as the active model, the other people 6 points lower (docs/evaluation.md, "Loud views
    /// beside quiet ones"). At 0.75 (0.10.18) every episode's stand-in learned the owners, seed 1 still held after JPEG
    /// 75 and downscaling and the other people kept 88.6 % on ten draws (the active model 84.0), but 26 of 30 owner
    /// results against the active model's 29 (docs/evaluation.md, "A larger loud share"), so the default stays 0 (off).
    /// </summary>
    public double LoudViewProbability { get; init; }

    /// <summary>
    /// With <see cref="LoudViewProbability"/>, how much of the loud photos' gradient reaches the atoms (0-1): the loud
    /// photos always teach the stand-in in full, but their texture reaches the step's loss with its gradient scaled by
    /// this, so at 0 the atoms move by the photos at the budget alone. With loud views the atoms otherwise follow mostly
    /// the loud photos, which any texture makes readable: at a share of 0.75 (0.10.18, weight 1) every episode's
    /// stand-in learned the owners, yet the benchmark's owners came out worse than at 0.5. At 0 (0.10.19): the other
    /// people 86.5 % on ten draws against the active model's 84.0, but 26 of 30 owner results against 29, and seed 1
    /// lost after JPEG 75 and downscaling: a sign that the loud photos' gradient kept the atoms readable loud and after
    /// those transforms (docs/evaluation.md, "A larger loud share, and atoms from the quiet photos only"). At 0.5
    /// (0.10.20): 28 of 30, the other people 87.4 %, seed 1 held after JPEG 75 but not after downscaling
    /// (docs/evaluation.md, "Half the loud photos' gradient on the atoms"). 1: off.
    /// </summary>
    public double LoudViewAtomGradient { get; init; } = 1;

    /// <summary>
    /// Weight of the key-distinctness term: each step compares the tiles of <see cref="OwnerTextureTrainer.DistinctKeysPerStep"/>
    /// random keys pairwise (<see cref="KeyOverlap"/>) and penalises overlaps above
    /// <see cref="OwnerTextureTrainer.DistinctKeysMargin"/>. Min-min alone has no reason to keep keys apart: 0.9.8's put
    /// most of their power into one of four coarse gratings, and 8.2 % of ordered pairs of 60 owners' keys took each
    /// other's texture for their own (docs/protection.md). 0 turns it off, the recipe of every model before 0.9.9.
    /// </summary>
    public double KeyDistinctnessWeight { get; init; } = 10;

    /// <summary>
    /// How much more of the atoms' gradient goes to the pseudo-owners the episode's stand-in reads worst: each owned
    /// photo's gradient to its texture is scaled by (its owner's running loss / the owners' mean) to this power, clamped
    /// to <see cref="OwnerTextureTrainer.HardOwnerWeightLimit"/> either way, while the stand-in itself still learns from
    /// the plain mean loss, as an attacker's victim does. Benchmark misses follow keys (one owner missed under some keys
    /// and stopped under others: docs/evaluation.md), and plain min-min spends its gradient where keys are already read.
    /// 0 turns it off, the recipe of every model before it existed.
    /// </summary>
    public double HardOwnerEmphasis { get; init; }

    /// <summary>
    /// Each episode's fresh stand-in first sees the texture at least this many times epsilon, falling to epsilon over the
    /// first <see cref="OwnerTextureTrainer.EpisodeWarmUpFraction"/> of the episode. Once the run's curriculum has reached
    /// the budget, a fresh stand-in stays at chance for its whole episode (200 or 600 steps), so the atoms' gradient is
    /// noise for most of a run, while a stand-in that learned the texture louder still reads it at the budget
    /// (docs/training.md, "Long episodes"). Warming each stand-in up was meant to keep one that reads the atoms all run
    /// long; at 2.5 it did not (a fresh stand-in stayed at chance through the loud half too: docs/training.md, "What keeps
    /// a fresh stand-in from learning at the budget"). 1 turns it off, the recipe of every model before it existed.
    /// </summary>
    public double EpisodeWarmUp { get; init; } = 1;

    /// <summary>
    /// Draw the attacker's pipeline (view size, crop side, blur, halving, JPEG) once per episode instead of every step, as
    /// a scraper picks one pipeline and keeps it. With a new pipeline every step a fresh stand-in stays at chance at the
    /// budget; with one easy pipeline (64 px, no JPEG, no grey) it learns the texture at epsilon 10 within an episode
    /// (docs/training.md, "What keeps a fresh stand-in from learning at the budget"). One pipeline per episode with grey
    /// views still at 30 % left the stand-ins at chance at the budget; without grey they learned in the JPEG-free
    /// episodes, but neither run protected as many owners as the per-step recipe (docs/evaluation.md, "One attacker per
    /// episode"). False: a draw per step, the recipe of every model before it existed.
    /// </summary>
    public bool AttackerPerEpisode { get; init; }

    /// <summary>
    /// Probability that an episode's stand-in faces a readable attacker: one pipeline for the whole episode (drawn as
    /// <see cref="AttackerPerEpisode"/> draws it) at <see cref="ProxySize"/>, without JPEG and without grey views. With
    /// the per-step pipeline every fresh stand-in stays at chance once the curriculum reaches the budget, so the atoms get
    /// no gradient for the last part of a run; in a diagnostic run with such a pipeline throughout, the stand-in learned
    /// the texture at the budget (docs/training.md, "What keeps a fresh stand-in from learning at the budget"). Mixing a
    /// share of such episodes into the per-step recipe was meant to keep that signal while most episodes still teach
    /// robustness. Tried at 0.3 and 0.4 it did not: once the atoms had been shaped by the per-step views, a readable
    /// episode's fresh stand-in stayed at chance at the budget too (docs/training.md, "Readable episodes"). 0: off, the
    /// recipe of every model before it existed.
    /// </summary>
    public double ReadableEpisodeProbability { get; init; }

    /// <summary>
    /// Keep each episode's stand-in for the next episode and draw afresh only its classifier (the new keys are new
    /// classes), so that the stand-in that learned the texture while it was loud still reads it once the curriculum
    /// reaches the budget, where every fresh stand-in stays at chance and the atoms' gradient is noise (docs/training.md,
    /// "What keeps a fresh stand-in from learning at the budget"). A stand-in that learned the texture loud went on
    /// reading it as the amplitude fell to the budget within its episode ("Long episodes"); this is min-min as Huang et
    /// al. run it, with one model carried through the whole run. Tried with the active recipe: the stand-in read the
    /// texture at the budget in every episode, yet fresh victims were stopped for fewer owners (27 of 30 owner results
    /// against 29), and after the attacker's JPEG 75 or downscaling not at all, while the other people kept more
    /// (docs/evaluation.md, "Kept stand-ins"). Needs one stand-in architecture. False: a fresh stand-in every episode,
    /// the recipe of every model before it existed.
    /// </summary>
    public bool KeepStandIns { get; init; }

    /// <summary>
    /// With <see cref="KeepStandIns"/>, train a from-scratch stand-in beside the kept one in every episode, on the same
    /// views, and move the atoms by the mean of the two losses. The kept stand-in alone gave the atoms a gradient at the
    /// budget but shaped them into what it had learned to see, which fresh victims read for fewer owners and not
    /// through the attacker's JPEG 75 or downscaling; the from-scratch one keeps a share of the gradient on what a
    /// network starting from nothing picks up first. Costs a second stand-in's forward and backward pass per step.
    /// Tried with 0.10.14's recipe: at the budget the from-scratch stand-ins stayed at chance, and fresh victims were
    /// stopped for 27 of 30 owner results as with the kept stand-in alone, not through the attacker's JPEG 75 or
    /// downscaling either (docs/evaluation.md, "A from-scratch stand-in beside the kept one"). False: the kept
    /// stand-in alone.
    /// </summary>
    public bool FreshStandInBesideKept { get; init; }

    /// <summary>The size the stand-in victims see the attacker's crops at (a scraper's face crop).</summary>
    public int ProxySize { get; init; } = 64;

    /// <summary>The smallest size a stand-in victim's views may have, drawn or not.</summary>
    public const int SmallestAllowedProxySize = 16;

    /// <summary>
    /// Each step's stand-in victim sees its views at a size drawn from this to <see cref="ProxySize"/>: an attacker picks
    /// its own size (the benchmark's 32-px victim read 0.9.9's texture, fitted at 64 px alone, for one victim of two;
    /// docs/evaluation.md), and the stand-ins' global pooling takes any size. Null: the default,
    /// <see cref="SmallestProxySize"/>. <see cref="ProxySize"/> itself: that size alone, the recipe of every model before
    /// 0.10.0.
    /// </summary>
    public int? MinProxySize { get; init; }

    /// <summary>
    /// The smallest view size training draws: <see cref="MinProxySize"/>, or by default half of <see cref="ProxySize"/>
    /// (at least 16), the 32-64 px of the active model's recipe.
    /// </summary>
    public int SmallestProxySize => MinProxySize ?? Math.Max(SmallestAllowedProxySize, ProxySize / 2);

    /// <summary>Whether the view size is drawn per step (<see cref="SmallestProxySize"/> under <see cref="ProxySize"/>).</summary>
    public bool DrawsProxySize => SmallestProxySize < ProxySize;

    /// <summary>
    /// The stand-in victims' architectures, taken in turn, one per episode. ResNet-20 alone fits atoms that a
    /// MobileNetV2-style victim did not read for every owner draw (docs/evaluation.md); taking turns asks the atoms to be
    /// read by each. Tried on 2026-12-05: MobileNetV2 and VGG stand-ins stayed at chance within 200-step episodes
    /// (docs/training.md), so the default stays ResNet-20 alone.
    /// </summary>
    public IReadOnlyList<VictimArchitecture> StandInVictims { get; init; } = [VictimArchitecture.ResNet20];

    /// <summary>Pseudo-owners (random keys over random groups of the photos) per episode.</summary>
    public int PseudoOwners { get; init; } = 4;

    /// <summary>Steps before the stand-in victim and the pseudo-owners' keys are drawn afresh.</summary>
    public int EpisodeSteps { get; init; } = 200;

    /// <summary>The stand-in victims' SGD learning rate.</summary>
    public double ProxyLearningRate { get; init; } = 0.1;

    /// <summary>
    /// Fewer steps than this give a card with <c>trained: false</c>: a smoke run exercises the code, it does not make a
    /// protective model.
    /// </summary>
    public long MinimumStepsForTrained { get; init; } = 1000;

    /// <summary>Likewise for the number of training photos: a generator fitted to a handful of images is no product.</summary>
    public int MinimumImagesForTrained { get; init; } = 100;

    /// <summary>The model registry the new version is written into.</summary>
    public required string ModelsPath { get; init; }

    /// <summary>Name of the new version; null: <c>gen-&lt;UTC timestamp&gt;</c>.</summary>
    public string? Version { get; init; }

    /// <summary>Make the new version the registry's active one.</summary>
    public bool Activate { get; init; }

    /// <summary><c>auto</c>, <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; init; } = "auto";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataSource))
            throw new ArgumentException("Training data (a folder or archive) is required.", nameof(DataSource));
        if (string.IsNullOrWhiteSpace(ModelsPath))
            throw new ArgumentException("A model registry folder is required.", nameof(ModelsPath));
        if (ImageSize is < 16 or > 1024 || ImageSize % GeneratorArchitecture.SizeMultiple != 0)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, $"The image size must be 16..1024 and a multiple of {GeneratorArchitecture.SizeMultiple}.");
        // The owner texture's trainer is the only one: the families it fits are the ones with a training name.
        if (Architecture.Family is not OwnerTextureFamily)
            throw new ArgumentException($"'{Architecture.Name}' cannot be trained; train {string.Join(" or ", GeneratorCatalog.TrainingNames)}.", nameof(Architecture));
        if (!ProtectionOptions.IsValidEpsilon(Epsilon))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, ProtectionOptions.EpsilonRangeMessage(nameof(Epsilon)));
        if (Steps < 1)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "At least one step.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be positive.");
        if (LearningRate <= 0 || double.IsNaN(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        RequireZeroToOne(GrayProbability, nameof(GrayProbability), "grey probability");
        RequireZeroToOne(GrayEpisodeProbability, nameof(GrayEpisodeProbability), "grey-episode probability");
        RequireZeroToOne(ReadableEpisodeProbability, nameof(ReadableEpisodeProbability), "readable-episode probability");
        RequireZeroToOne(JpegProbability, nameof(JpegProbability), "JPEG probability");
        RequireZeroToOne(HalvingProbability, nameof(HalvingProbability), "halving probability");
        RequireZeroToOne(LoudViewProbability, nameof(LoudViewProbability), "loud-view probability");
        RequireZeroToOne(LoudViewAtomGradient, nameof(LoudViewAtomGradient), "weight on the loud photos' atom gradient");
        if (CurriculumFraction is <= 0 or > 1 || double.IsNaN(CurriculumFraction))
            throw new ArgumentOutOfRangeException(nameof(CurriculumFraction), CurriculumFraction, "The curriculum fraction must be more than 0 and at most 1 (of the run).");
        if (KeyDistinctnessWeight < 0 || !double.IsFinite(KeyDistinctnessWeight))
            throw new ArgumentOutOfRangeException(nameof(KeyDistinctnessWeight), KeyDistinctnessWeight, "The key-distinctness weight must be 0 or more.");
        if (HardOwnerEmphasis is < 0 or > 8 || double.IsNaN(HardOwnerEmphasis))
            throw new ArgumentOutOfRangeException(nameof(HardOwnerEmphasis), HardOwnerEmphasis, "The hard-owner emphasis must be 0..8.");
        if (EpisodeWarmUp is < 1 or > 4 || double.IsNaN(EpisodeWarmUp))
            throw new ArgumentOutOfRangeException(nameof(EpisodeWarmUp), EpisodeWarmUp, "The episode warm-up must be 1..4 (times epsilon; 1: off).");
        if (ProxySize is < SmallestAllowedProxySize or > 512 || ProxyLearningRate <= 0 || double.IsNaN(ProxyLearningRate))
            throw new ArgumentOutOfRangeException(nameof(ProxySize), $"The proxy size must be {SmallestAllowedProxySize}..512 and its learning rate positive.");
        if (MinProxySize is { } smallest && (smallest < SmallestAllowedProxySize || smallest > ProxySize))
            throw new ArgumentOutOfRangeException(nameof(MinProxySize), MinProxySize, $"The smallest proxy size must be {SmallestAllowedProxySize}..{ProxySize} (the proxy size).");
        if (PseudoOwners is < 1 or > 1000 || EpisodeSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(PseudoOwners), "An episode needs 1..1000 pseudo-owners and at least one step.");
        if (StandInVictims is null || StandInVictims.Count == 0 || StandInVictims.Any(a => !Enum.IsDefined(a)))
            throw new ArgumentException($"Name at least one stand-in victim ({string.Join(", ", VictimArchitectures.All.Select(VictimArchitectures.Name))}).", nameof(StandInVictims));
        if (KeepStandIns && StandInVictims.Count > 1)
            throw new ArgumentException("Kept stand-ins need one stand-in architecture (the next episode's stand-in is the last one).", nameof(KeepStandIns));
        if (LoudViewAtomGradient < 1 && LoudViewProbability <= 0)
            throw new ArgumentException("A weight on the loud photos' atom gradient needs loud views (without them every view is quiet).", nameof(LoudViewAtomGradient));
        if (FreshStandInBesideKept && !KeepStandIns)
            throw new ArgumentException("A from-scratch stand-in beside the kept one needs kept stand-ins (every stand-in is from scratch without them).", nameof(FreshStandInBesideKept));
        if (CheckpointInterval < 1)
            throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), CheckpointInterval, "The checkpoint interval must be positive.");
        if (MaxImages is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxImages), MaxImages, "The image cap must be at least 1.");
        if (Version is not null && !ModelRegistry.IsValidVersion(Version))
            throw new ArgumentException($"'{Version}' is not a valid model version (letters, digits, '.', '-', '_').", nameof(Version));
    }

    private static void RequireZeroToOne(double value, string name, string what)
    {
        if (value is < 0 or > 1 || double.IsNaN(value))
            throw new ArgumentOutOfRangeException(name, value, $"The {what} must be 0..1.");
    }
}
