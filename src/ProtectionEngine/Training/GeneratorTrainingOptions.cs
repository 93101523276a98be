using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training.Transforms;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>Everything a <see cref="GeneratorTrainer"/> run needs; plain data, so an HTTP endpoint can bind it.</summary>
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
    public int ImageSize { get; init; } = 112;

    /// <summary>
    /// Resolution the surrogate sees (photos and perturbations resized to it), a multiple of
    /// <see cref="SurrogateSizeMultiple"/>; null: <see cref="ImageSize"/> rounded up to one (112 gives 128).
    /// </summary>
    public int? SurrogateSize { get; init; }

    /// <summary>
    /// The ported CNTK ResNet-18 pads its stride-2 stages asymmetrically, so its residual branches and shortcuts only
    /// agree in size when every stage halves an even size: inputs must be multiples of 32 (112 fails at the last stage).
    /// </summary>
    public const int SurrogateSizeMultiple = ResNet18Surrogate.SizeMultiple;

    /// <summary>k-means concepts.</summary>
    public int K { get; init; } = 10;

    public GeneratorLossKind Loss { get; init; } = GeneratorLossKind.Shortcut;

    /// <summary>L-infinity budget in 8-bit levels: the perturbation is epsilon/255 * tanh(G(x)).</summary>
    public int Epsilon { get; init; } = 8;

    /// <summary>Total optimiser steps of the run (a resumed run continues up to this).</summary>
    public long Steps { get; init; } = 5000;

    public int BatchSize { get; init; } = 16;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Seeds the sample, k-means, the generator's initialisation, batch order and transformations.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where checkpoints go and a run resumes from; null: no checkpoints.</summary>
    public string? CheckpointDirectory { get; init; }

    public int CheckpointInterval { get; init; } = 100;

    /// <summary>Checkpoints kept in the folder (older ones are deleted).</summary>
    public int CheckpointsToKeep { get; init; } = 3;

    public EotOptions Eot { get; init; } = new();

    public GeneratorArchitecture Architecture { get; init; } = GeneratorArchitecture.Default;

    /// <summary>Divides the cosine similarities before the softmax; small values make the concepts sharper targets.</summary>
    public double Temperature { get; init; } = 0.1;

    /// <summary>Misdirection only: weight of the mean cosine to the photo's own centroid (pushes away from it).</summary>
    public double AwayWeight { get; init; } = 1.0;

    /// <summary>Min-min only: the size the stand-in victim sees the perturbed photos at (a scraper's thumbnail).</summary>
    public int ProxySize { get; init; } = 32;

    /// <summary>
    /// Concept-poison only: epochs of the crafting network (the victims' recipe, at <see cref="ProxySize"/>, which is also
    /// the saved model's working size).
    /// </summary>
    public int CraftingEpochs { get; init; } = 15;

    /// <summary>Owner texture only: pseudo-owners (random keys over random groups of the photos) per episode.</summary>
    public int PseudoOwners { get; init; } = 8;

    /// <summary>Owner texture only: steps before the stand-in victim and the pseudo-owners' keys are drawn afresh.</summary>
    public int EpisodeSteps { get; init; } = 100;

    /// <summary>Min-min: the stand-in victim's Adam learning rate; owner texture: its SGD learning rate.</summary>
    public double ProxyLearningRate { get; init; } = 1e-3;

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

    /// <summary>Photos per surrogate pass while extracting clustering features.</summary>
    public int FeatureBatchSize { get; init; } = 32;

    public int EffectiveSurrogateSize => SurrogateSize ?? (ImageSize + SurrogateSizeMultiple - 1) / SurrogateSizeMultiple * SurrogateSizeMultiple;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataSource))
            throw new ArgumentException("Training data (a folder or archive) is required.", nameof(DataSource));
        if (string.IsNullOrWhiteSpace(ModelsPath))
            throw new ArgumentException("A model registry folder is required.", nameof(ModelsPath));
        if (ImageSize is < 16 or > 1024 || ImageSize % GeneratorArchitecture.SizeMultiple != 0)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, $"The image size must be 16..1024 and a multiple of {GeneratorArchitecture.SizeMultiple}.");
        if (EffectiveSurrogateSize is < ResNet18Surrogate.MinimumSize or > 1024 || EffectiveSurrogateSize % SurrogateSizeMultiple != 0)
            throw new ArgumentOutOfRangeException(nameof(SurrogateSize), SurrogateSize, $"The surrogate size must be {ResNet18Surrogate.MinimumSize}..1024 and a multiple of {SurrogateSizeMultiple}.");
        if (K < 2)
            throw new ArgumentOutOfRangeException(nameof(K), K, "At least 2 concepts are needed (one concept predicts nothing and has no other to misdirect to).");
        if (!ProtectionOptions.IsValidEpsilon(Epsilon))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, ProtectionOptions.EpsilonRangeMessage(nameof(Epsilon)));
        if (Steps < 1)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "At least one step.");
        if (BatchSize < 1 || FeatureBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch sizes must be positive.");
        if (LearningRate <= 0 || double.IsNaN(LearningRate) || Temperature <= 0 || double.IsNaN(Temperature) || AwayWeight < 0)
            throw new ArgumentOutOfRangeException(nameof(LearningRate), "Learning rate and temperature must be positive, the away weight not negative.");
        if (ProxySize is < 16 or > 512 || ProxyLearningRate <= 0 || double.IsNaN(ProxyLearningRate))
            throw new ArgumentOutOfRangeException(nameof(ProxySize), "The proxy size must be 16..512 and its learning rate positive.");
        if (PseudoOwners is < 1 or > 1000 || EpisodeSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(PseudoOwners), "An episode needs 1..1000 pseudo-owners and at least one step.");
        if (CraftingEpochs is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(CraftingEpochs), CraftingEpochs, "The crafting network needs 1..1000 epochs.");
        if (Architecture.Name == GeneratorArchitecture.ConceptPoison && ProxySize % GeneratorArchitecture.SizeMultiple != 0)
            throw new ArgumentOutOfRangeException(nameof(ProxySize), ProxySize, $"A concept-poison model's working size (the proxy size) must be a multiple of {GeneratorArchitecture.SizeMultiple}.");
        if (CheckpointInterval < 1 || CheckpointsToKeep < 1)
            throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), "Checkpoint interval and count must be positive.");
        if (MaxImages is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxImages), MaxImages, "The image cap must be at least 1.");
        if (Version is not null && !ModelRegistry.IsValidVersion(Version))
            throw new ArgumentException($"'{Version}' is not a valid model version (letters, digits, '.', '-', '_').", nameof(Version));
        Eot.Validate();
    }
}
