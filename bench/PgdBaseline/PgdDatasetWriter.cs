using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SixLabors.ImageSharp;
using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.Bench.Pgd;

/// <summary>
/// <c>pgd-baseline protect-dataset</c>: writes a PGD-protected copy of a labelled split as
/// <c>&lt;out&gt;/&lt;train-subset&gt;/&lt;class&gt;/&lt;n&gt;.png</c>, with the test subset copied unchanged beside it, so that
/// <c>uploadguard eval --data &lt;out&gt; --model none --rows clean</c> measures a victim trained on PGD-protected images.
/// The training images are chosen exactly as <c>uploadguard eval</c> chooses them (<see cref="EvaluationData"/>, the same
/// per-class count and seed), protected at the size the victim reads them (CIFAR-10: 32 px) while the surrogate sees
/// them resized to <see cref="PgdSettings.SurrogateSize"/>. The concepts are fitted on the clean features of the images
/// being protected; class folders are only used to file the output. Written into <c>&lt;out&gt;.partial</c> and renamed
/// at the end, so an interrupted run never looks complete.
/// </summary>
/// <param name="modelsPath">The registry <see cref="PgdSettings.CraftingModel"/> is loaded from.</param>
public sealed class PgdDatasetWriter(PgdSettings settings, int batch, string modelsPath)
{
    public const string ManifestFileName = "pgd-run.json";

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <param name="size">Side the images are protected and written at.</param>
    public string Run(string source, string trainSubset, string testSubset, int size, int? perClass, string output, bool overwrite, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (batch < 1)
            throw new ArgumentException("--batch must be at least 1.");
        output = Path.GetFullPath(output);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !overwrite)
            throw new InvalidOperationException($"'{output}' exists and is not empty; pass --overwrite to replace it.");
        string partial = output + ".partial";
        if (Directory.Exists(partial))
            Directory.Delete(partial, recursive: true);

        var clock = Stopwatch.StartNew();
        var (train, test) = EvaluationData.Load(source, trainSubset, testSubset, size, size, perClass, settings.Seed);
        log($"{train.Count:N0} training images ({train.Classes.Count} classes) at {size} px, {test.Count:N0} test images; {settings.Describe()}");

        using var surrogate = ResNet18Surrogate.LoadPretrained();
        var pgd = new ConceptPgd(surrogate, settings);
        var batches = Enumerable.Range(0, train.Count).Chunk(batch).ToList();
        var featureClock = Stopwatch.StartNew();
        var features = new List<Tensor>();
        foreach (var indices in batches)
        {
            using var images = train.Images(indices);
            features.Add(pgd.Features(images));
        }
        using var all = cat(features, 0);
        features.ForEach(f => f.Dispose());
        var clusters = ConceptClusters.Fit(all, settings.K, settings.Seed, $"pgd-baseline {source} {trainSubset}");
        double conceptSeconds = featureClock.Elapsed.TotalSeconds;
        // The labels only file the output and grade the concepts here; nothing that makes a perturbation reads them.
        double purity = ConceptNoise.Purity(clusters.Assignments, train, clusters.K);
        log($"concepts: K = {clusters.K}, sizes {string.Join("/", clusters.ClusterSizes())}, purity against the classes {purity:P1}, {conceptSeconds:0} s");

        using var objective = new ConceptObjective(clusters, settings.Objective, settings.Temperature, settings.AwayWeight, CPU);
        var craftingClock = Stopwatch.StartNew();
        using var shipped = settings.CraftingModel is { } version ? LoadCrafting(version, log) : null;
        int craftingSize = shipped?.Card.WorkingSize ?? settings.CraftingSize ?? size;
        var (crafting, craftingAccuracy) = shipped is not null ? ((ConceptPoisonGenerator)shipped.Generator, null)
            : settings.CraftingEpochs is { } epochs ? Craft(train, clusters, craftingSize, epochs, log) : (null, (double?)null);
        using var craftingNetwork = shipped is null ? crafting : null;
        double craftingSeconds = craftingClock.Elapsed.TotalSeconds;
        using var random = new TorchSharp.torch.Generator((ulong)settings.Seed);
        var written = new int[train.Classes.Count];
        var protectedPixels = new byte[train.Count][];
        double cleanLoss = 0, protectedLoss = 0, cleanHit = 0, protectedHit = 0;
        var pgdClock = Stopwatch.StartNew();
        int done = 0;
        foreach (var indices in batches)
        {
            using var scope = NewDisposeScope();
            var clean = train.Images(indices);
            var concepts = tensor(indices.Select(i => (long)clusters.Assignments[i]).ToArray());
            var cleanView = crafting is null ? null : SquareResize.To(clean, craftingSize);
            var aims = settings.Objective == GeneratorLossKind.Shortcut || crafting is null ? concepts
                : shipped is not null ? crafting.TargetsOf(crafting.Concept(cleanView!))
                : crafting.TargetsOf(concepts);
            var protectedLevels = crafting is null
                ? pgd.Protect(clean, concepts, objective, random)
                : pgd.Protect(clean, aims, (perturbed, a) => crafting.Loss(SquareResize.To(perturbed, craftingSize), a), random);
            var perturbed = protectedLevels.to(ScalarType.Float32).div_(255f);
            var (cleanScore, protectedScore) = crafting is null
                ? (Aim(pgd.Score(clean, concepts, objective)), Aim(pgd.Score(perturbed, concepts, objective)))
                : (Aim(crafting, cleanView!, aims), Aim(crafting, SquareResize.To(perturbed, craftingSize), aims));
            cleanLoss += cleanScore.CrossEntropy * indices.Length;
            protectedLoss += protectedScore.CrossEntropy * indices.Length;
            cleanHit += cleanScore.Hit * indices.Length;
            protectedHit += protectedScore.Hit * indices.Length;
            for (int k = 0; k < indices.Length; k++)
            {
                int label = train.Label(indices[k]);
                var folder = Path.Combine(partial, trainSubset, train.Classes[label]);
                Directory.CreateDirectory(folder);
                var chw = protectedPixels[indices[k]] = protectedLevels[k].contiguous().data<byte>().ToArray();
                using var image = ChwPixels.ToImage(chw, size);
                image.SaveAsPng(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{written[label]++:D5}.png")));
            }
            done += indices.Length;
            double perImage = pgdClock.Elapsed.TotalMilliseconds / done;
            if (done == indices.Length || done % (batch * 10) == 0 || done == train.Count)
                log($"{done:N0}/{train.Count:N0} protected, {perImage:0} ms per image, about {perImage * (train.Count - done) / 60000:0} min left");
        }
        double pgdSeconds = pgdClock.Elapsed.TotalSeconds;
        // The same measures as uploadguard eval's table (which cannot compare this folder with anything but itself).
        var quality = ImageQuality.Compare(train, train.WithPixels(protectedPixels));

        int copied = CopyUnchanged(source, testSubset, partial);
        var manifest = new
        {
            Method = (settings.Objective == GeneratorLossKind.Shortcut ? "error-minimising" : "error-maximising (misdirection)")
                + (crafting is null ? " PGD against the ResNet-18 surrogate's k-means concepts"
                    : shipped is not null ? $" PGD against the crafting network of model {shipped.Version}"
                    : " PGD against a ResNet-20 crafting network trained on the surrogate's k-means concepts")
                + " (label-agnostic; bench/PgdBaseline)",
            Settings = settings,
            Batch = batch,
            Source = source,
            TrainSubset = trainSubset,
            TestSubset = testSubset,
            Size = size,
            PerClass = perClass,
            TrainImages = train.Count,
            Classes = train.Classes,
            TestImagesCopied = copied,
            ConceptSizes = clusters.ClusterSizes(),
            ConceptPurity = purity,
            CraftingNetworkConceptAccuracy = craftingAccuracy,
            CraftingSeconds = craftingSeconds,
            MeanCrossEntropyClean = cleanLoss / train.Count,
            MeanCrossEntropyProtected = protectedLoss / train.Count,
            AimedConceptNearestClean = cleanHit / train.Count,
            AimedConceptNearestProtected = protectedHit / train.Count,
            Quality = quality,
            ConceptSeconds = conceptSeconds,
            PgdSeconds = pgdSeconds,
            PgdMillisecondsPerImage = pgdSeconds * 1000 / train.Count,
            TotalSeconds = clock.Elapsed.TotalSeconds,
        };
        File.WriteAllBytes(Path.Combine(partial, ManifestFileName), JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson));
        if (Directory.Exists(output))
            Directory.Delete(output, recursive: true);
        Directory.Move(partial, output);
        return string.Create(CultureInfo.InvariantCulture,
            $"Wrote {train.Count:N0} PGD-protected training images and {copied:N0} unchanged test images to {output} in {clock.Elapsed.TotalMinutes:0.0} min "
            + $"(PGD {pgdSeconds * 1000 / train.Count:0} ms per image at batch {batch}); against the clean images: PSNR {quality.PsnrDb:0.00} dB, SSIM {quality.Ssim:0.0000}, "
            + $"largest change {quality.MaxAbsDifference} levels, {quality.ChangedFraction:P1} of values changed; "
            + $"{(crafting is null ? "surrogate" : "crafting network")} cross-entropy toward the aimed concept {cleanLoss / train.Count:0.000} clean, {protectedLoss / train.Count:0.000} protected; "
            + $"aimed concept nearest for {cleanHit / train.Count:P1} clean, {protectedHit / train.Count:P1} protected.");
    }

    private static (double CrossEntropy, double Hit) Aim(IReadOnlyDictionary<string, double> terms) => (terms[ConceptObjective.CrossEntropy], terms[ConceptObjective.Hit]);

    /// <summary>The cross-entropy toward the aims and the share of photos the crafting network reads as their aim.</summary>
    private static (double CrossEntropy, double Hit) Aim(ConceptPoisonGenerator crafting, Tensor images, Tensor aims)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double hit = crafting.Concept(images).eq(aims).to(ScalarType.Float32).mean().item<float>();
        return (crafting.Loss(images, aims).item<float>(), hit);
    }

    /// <summary>The crafting network (in a <see cref="ConceptPoisonGenerator"/>, which holds it and the concepts' targets).</summary>
    private (ConceptPoisonGenerator? Crafting, double? ConceptAccuracy) Craft(LabeledImages train, ConceptClusters clusters, int craftingSize, int epochs, Action<string> log)
    {
        var (network, training) = CraftingNetwork.Train(train.Count, indices => train.Images(indices), clusters.Assignments, clusters.K, craftingSize, epochs, settings.Seed, CPU,
            new InlineProgress<VictimEpoch>(e => log(FormattableString.Invariant($"crafting network epoch {e.Epoch}/{e.Epochs}: loss {e.MeanLoss:0.000}, concept accuracy {e.TrainAccuracy:P1}"))));
        using (network)
        {
            var generator = new ConceptPoisonGenerator(clusters.K, settings.Epsilon);
            generator.Set(network, clusters.Targets);
            generator.eval();
            return (generator, training.FinalTrainAccuracy);
        }
    }

    /// <summary>A concept-poison model from the registry, checked as the engine checks it.</summary>
    private LoadedModel LoadCrafting(string version, Action<string> log)
    {
        var model = new ModelRegistry(modelsPath).Load(version, CPU);
        if (model.Generator is not ConceptPoisonGenerator)
        {
            model.Dispose();
            throw new ArgumentException($"--crafting-model: '{version}' is a {model.Card.Architecture.Name} model, not {GeneratorArchitecture.ConceptPoison}.");
        }
        model.Generator.eval();
        log($"crafting network: model {version} ({model.Card.WorkingSize} px, K = {((ConceptPoisonGenerator)model.Generator).Concepts})");
        return model;
    }

    /// <summary>Copies the files under <paramref name="subset"/> byte for byte, keeping their relative paths.</summary>
    private static int CopyUnchanged(string source, string subset, string destination)
    {
        int copied = 0;
        string root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        foreach (var file in ImageDatasetLoader.OpenSource(source).EnumerateFiles())
        {
            if (!file.Path.StartsWith(subset, StringComparison.Ordinal))
                continue;
            var target = Path.GetFullPath(Path.Combine(destination, file.Path));
            if (!target.StartsWith(root, StringComparison.Ordinal))
                throw new InvalidOperationException($"'{file.Path}' would be written outside '{destination}'.");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, ImageFiles.ReadAll(file));
            copied++;
        }
        return copied;
    }
}
