using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Training;
using UploadGuard.ProtectionEngine.Evaluation.Concepts;
using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// The efficacy benchmark (docs/evaluation.md): victims trained from scratch on each row's training set (clean,
/// protected by the engine, protected then washed by a countermeasure, or a label-using sanity baseline), all tested on
/// the same clean test images. The protected set is made once per invocation and held in memory.
/// </summary>
public static class ProtectionBenchmark
{
    public static async Task<BenchmarkResult> RunAsync(BenchmarkOptions options, IProgress<BenchmarkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var device = ComputeDevice.Select(options.Device);
        int protectSize = options.EffectiveProtectSize;

        progress?.Report(new BenchmarkProgress(BenchmarkStage.Loading, $"Reading {options.DataSource}"));
        var (trainAtProtectSize, test) = await Task.Run(() => EvaluationData.Load(options.DataSource, options.TrainSubset, options.TestSubset,
            protectSize, options.Size, options.PerClass, options.Seed,
            progress is null ? null : new InlineProgress<DatasetLoadStatistics>(s => progress.Report(new BenchmarkProgress(BenchmarkStage.Loading,
                $"{s.FilesInSubset:N0} files read, {s.Kept:N0} images kept", s.FilesInSubset))),
            cancellationToken), cancellationToken).ConfigureAwait(false);
        progress?.Report(new BenchmarkProgress(BenchmarkStage.Loading,
            $"{trainAtProtectSize.Count:N0} training images, {test.Count:N0} test images, {test.Classes.Count} classes"));
        var clean = ResizeAll(trainAtProtectSize, options.Size);

        EngineProtectionResult? protection = null;
        ImageQualitySummary? protectedQuality = null;
        LabeledImages? protectedAtVictimSize = null;
        if (options.Rows.Any(r => r.NeedsProtection))
        {
            protection = await ProtectAsync(options, trainAtProtectSize, progress, cancellationToken).ConfigureAwait(false);
            protectedQuality = ImageQuality.Compare(trainAtProtectSize, protection.Protected);
            protectedAtVictimSize = ResizeAll(protection.Protected, options.Size);
        }
        ConceptNoiseResult? concepts = null;
        ConceptHashResult? hashes = null;
        if (options.Rows.Any(BenchmarkRows.UsesSurrogate))
        {
            progress?.Report(new BenchmarkProgress(BenchmarkStage.Preparing, $"The training images' surrogate features (at {ConceptNoise.SurrogateSize} px)"));
            using var features = await Task.Run(() => ConceptNoise.Features(trainAtProtectSize, device, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (options.Rows.Contains(BenchmarkRows.ConceptBlock))
            {
                concepts = ConceptNoise.Apply(features, clean, options.Concepts, options.Epsilon, options.BlockSize, options.Seed);
                progress?.Report(new BenchmarkProgress(BenchmarkStage.Preparing, $"{options.Concepts} concepts; purity against the classes {concepts.Purity:P1}"));
            }
            if (options.Rows.Contains(BenchmarkRows.ConceptHash))
            {
                hashes = ConceptHashNoise.Apply(features, clean, options.Epsilon, options.BlockSize, options.Seed);
                progress?.Report(new BenchmarkProgress(BenchmarkStage.Preparing,
                    $"{hashes.Bits}-bit codes; nearest code of the same class for {hashes.NeighbourAgreement:P1} of the images"));
            }
        }
        trainAtProtectSize = null!;   // only the victim-size copies are needed from here on

        var quality = new Dictionary<string, ImageQualitySummary>();
        var runs = new List<BenchmarkRun>();
        await Task.Factory.StartNew(() =>
        {
            foreach (var row in options.Rows)
            {
                string rowName = row.Name;
                progress?.Report(new BenchmarkProgress(BenchmarkStage.Preparing, $"Preparing the '{rowName}' training set ({row.Description})", Row: rowName));
                var trainingSet = TrainingSet(row, clean, protectedAtVictimSize, options, concepts?.Images, hashes?.Images);
                quality[rowName] = ImageQuality.Compare(clean, trainingSet);
                string? note = row switch
                {
                    _ when row == BenchmarkRows.ConceptBlock => $"{options.Concepts} concepts, purity {concepts!.Purity:P1}, {options.BlockSize}x{options.BlockSize} blocks",
                    _ when row == BenchmarkRows.ConceptHash => $"{hashes!.Bits}-bit codes, nearest code same class {hashes.NeighbourAgreement:P1}, {options.BlockSize}x{options.BlockSize} blocks",
                    _ when row == BenchmarkRows.SanityBlock => options.SanityAgreement < 1
                        ? $"{options.BlockSize}x{options.BlockSize} blocks, own class's pattern for {options.SanityAgreement:P0} of the images"
                        : $"{options.BlockSize}x{options.BlockSize} blocks",
                    _ => row.NeedsProtection ? protection?.Warning : null,
                };
                foreach (var architecture in options.Architectures)
                {
                    string architectureName = VictimArchitectures.Name(architecture);
                    var epochs = new InlineProgress<VictimEpoch>(e => progress?.Report(BenchmarkProgress.EpochFinished(rowName, architectureName, e)));
                    var result = VictimTrainer.Train(architecture, trainingSet, test, options.Recipe, options.Seed, device, epochs,
                        error => progress?.Report(BenchmarkProgress.Retrying(rowName, architectureName, error)), cancellationToken);
                    var run = new BenchmarkRun(rowName, architectureName, result, note);
                    runs.Add(run);
                    progress?.Report(new BenchmarkProgress(BenchmarkStage.RunFinished,
                        // Rounded as the Markdown tables round it, so the log and the table agree on a value like 0.7805.
                        string.Create(CultureInfo.InvariantCulture, $"{rowName} / {architectureName}: test accuracy {result.TestAccuracy * 100:0.0} %"),
                        Row: rowName, Architecture: architectureName, Run: run));
                }
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);

        return new BenchmarkResult
        {
            DataSource = Path.GetFileName(options.DataSource.TrimEnd('/', Path.DirectorySeparatorChar)),
            TrainSubset = options.TrainSubset,
            TestSubset = options.TestSubset,
            PerClass = options.PerClass,
            Size = options.Size,
            ProtectSize = protectSize,
            Epsilon = options.Epsilon,
            Seed = options.Seed,
            Recipe = options.Recipe,
            TrainImages = clean.Count,
            TestImages = test.Count,
            Classes = clean.Classes,
            ModelVersion = protection?.ModelVersion,
            ModelTrained = protection?.ModelTrained,
            ModelWarning = protection?.Warning,
            ModelWorkingSize = protection?.WorkingSize,
            ProtectedQuality = protectedQuality,
            TrainingSetQuality = quality,
            Runs = runs,
            ProtectionTime = protection?.Elapsed,
            Started = started,
            Elapsed = clock.Elapsed,
            Machine = Machine(device),
        };
    }

    /// <summary>What a result was measured on: cores, system and torch's threads and device.</summary>
    internal static string Machine(TorchSharp.torch.Device device) =>
        $"{Environment.ProcessorCount} logical CPU(s), {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, "
        + $"torch {TorchSharp.torch.get_num_threads()} thread(s) on {device.type}";

    /// <summary>A row's training images at the victim's size.</summary>
    /// <param name="conceptImages">The <c>concept-block</c> set, made beforehand by <see cref="ConceptNoise"/>.</param>
    /// <param name="hashImages">The <c>concept-hash</c> set, made beforehand by <see cref="ConceptHashNoise"/>.</param>
    public static LabeledImages TrainingSet(BenchmarkRow row, LabeledImages clean, LabeledImages? protectedImages, BenchmarkOptions options,
        LabeledImages? conceptImages = null, LabeledImages? hashImages = null)
    {
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(options);
        LabeledImages RequireProtected() => protectedImages ?? throw new InvalidOperationException($"Row '{row.Name}' needs the protected images.");
        return row switch
        {
            _ when row == BenchmarkRows.Clean => clean,
            _ when row == BenchmarkRows.Protected => RequireProtected(),
            _ when row == BenchmarkRows.SanityBlock => ClassWiseNoise.Apply(clean, options.Epsilon, options.BlockSize, options.Seed, options.SanityAgreement),
            _ when row == BenchmarkRows.SanityPixel => ClassWiseNoise.Apply(clean, options.Epsilon, 1, options.Seed),
            _ when row == BenchmarkRows.ConceptBlock => conceptImages ?? throw new InvalidOperationException("Row 'concept-block' needs its concept noise made first."),
            _ when row == BenchmarkRows.ConceptHash => hashImages ?? throw new InvalidOperationException("Row 'concept-hash' needs its codes made first."),
            _ when row.Countermeasure is { } countermeasure => countermeasure.Apply(row.IsCountermeasureReference ? clean : RequireProtected()),
            _ => throw new ArgumentOutOfRangeException(nameof(row), row.Name, "No training set is defined for this row."),
        };
    }

    private static async Task<EngineProtectionResult> ProtectAsync(BenchmarkOptions options, LabeledImages clean, IProgress<BenchmarkProgress>? progress,
        CancellationToken cancellationToken)
    {
        var host = EngineProtection.CreateHost(options.ModelsPath, options.ModelVersion, options.Device);
        await using (host.ConfigureAwait(false))
        {
            var card = host.Models.Card;
            progress?.Report(new BenchmarkProgress(BenchmarkStage.Protecting,
                $"Protecting {clean.Count:N0} training images at {clean.Size} px with {card.Version} (working size {card.WorkingSize} px, epsilon {options.Epsilon})"
                + (card.Trained ? "" : $": {ModelCard.UntrainedWarning}"), 0, clean.Count));
            int every = Math.Max(1, clean.Count / 20);
            var done = new InlineProgress<int>(n =>
            {
                if (n % every == 0 || n == clean.Count)
                    progress?.Report(new BenchmarkProgress(BenchmarkStage.Protecting, $"Protected {n:N0}/{clean.Count:N0} images", n, clean.Count));
            });
            // An owner-keyed model needs owners: here every class is one owner, with its own key (the class-wise setting).
            Func<int, OwnerKey>? ownerOf = null;
            if (card.Architecture.IsOwnerKeyed)
            {
                var keyring = new OwnerKeyring(ClassOwnerSecret);
                var keys = clean.Classes.Select(keyring.Derive).ToArray();
                ownerOf = i => keys[clean.Label(i)];
            }
            return await EngineProtection.ProtectAsync(clean, host.Protector,
                new ProtectionOptions { Epsilon = options.Epsilon, Format = options.ProtectFormat }, EngineProtection.Concurrency, done, ownerOf, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The secret the class owners' keys are drawn from: fixed, so runs are comparable.</summary>
    private static readonly string ClassOwnerSecret = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("uploadguard benchmark class owners"u8));

    private static LabeledImages ResizeAll(LabeledImages images, int size)
    {
        if (images.Size == size)
            return images;
        var resized = new byte[images.Count][];
        Parallel.For(0, images.Count, i => resized[i] = ChwPixels.Resize(images.Pixels(i), images.Size, size));
        return images.WithPixels(resized, size);
    }
}
