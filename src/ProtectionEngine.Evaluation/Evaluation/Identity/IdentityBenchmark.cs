using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>
/// The identity benchmark (docs/evaluation.md): models that learn who is in a photo, the attack owner-keyed protection
/// is for. Owners, drawn with the seed, have their training photos protected with their own keys through the real
/// engine at full size; the attacker crops each face (jittered per photo, as a detector would), resizes it to the
/// victim's size and trains an identity classifier from scratch on everyone. The owners' accuracy on their own clean
/// test photos against the clean run is what protection buys; everyone else's accuracy is what it must not cost.
/// </summary>
public static class IdentityBenchmark
{
    private const int TestCropSeedOffset = 1_000_003;

    public static async Task<IdentityResult> RunAsync(IdentityBenchmarkOptions options, IProgress<BenchmarkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var device = ComputeDevice.Select(options.Device);

        progress?.Report(new BenchmarkProgress(BenchmarkStage.Loading, $"Reading {options.DataSource}"));
        var data = await Task.Run(() => IdentityData.Load(options, null, cancellationToken), cancellationToken).ConfigureAwait(false);
        var owners = DrawOwners(data.People.Count, options.Owners, options.Seed);
        var ownerNames = owners.Order().Select(o => data.People[o]).ToList();
        progress?.Report(new BenchmarkProgress(BenchmarkStage.Loading, string.Create(CultureInfo.InvariantCulture,
            $"{data.People.Count} people, {data.Train.Count:N0} training and {data.Test.Count:N0} test photos; owners: {string.Join(", ", ownerNames)}")));

        var keyring = new OwnerKeyring(BenchmarkSecret(options.EffectiveKeySeed));
        var ownerSet = owners.ToHashSet();
        var ownedPhotos = Enumerable.Range(0, data.Train.Count).Where(i => ownerSet.Contains(data.Train.Label(i))).ToList();

        LabeledImages? protectedPhotos = null;
        ModelCard? card = null;
        RemovalSummary? removal = null;
        LabeledImages? removedPhotos = null;
        if (options.Rows.Any(r => r.Coverage > 0))
        {
            (protectedPhotos, card, removedPhotos, removal) = await ProtectAsync(options, data, ownedPhotos, keyring, owners, progress, cancellationToken)
                .ConfigureAwait(false);
        }

        var test = CropAll(data.Test, options, TestCropSeedOffset);
        var runs = new List<IdentityRun>();
        await Task.Factory.StartNew(() =>
        {
            foreach (var row in options.Rows)
            {
                string rowName = row.Name;
                progress?.Report(new BenchmarkProgress(BenchmarkStage.Preparing, $"Preparing the '{rowName}' training set", Row: rowName));
                var trainingSet = TrainingSet(row, data, protectedPhotos, removedPhotos, ownedPhotos, ownerSet, options);
                var recipe = options.Recipe;
                string? note = row.IsClean ? null : card?.Trained == false ? ModelCard.UntrainedWarning : null;
                if (row == IdentityRows.CleanWithoutOwners)
                {
                    // As many SGD steps as on the whole set: this victim learns fast with steps (docs/evaluation.md), so
                    // the same epochs on fewer photos would measure the shorter training, not the missing photos.
                    recipe = recipe with { Epochs = (int)Math.Round(recipe.Epochs * (double)data.Train.Count / Math.Max(1, trainingSet.Count)) };
                    note = string.Create(CultureInfo.InvariantCulture,
                        $"the owners' {ownedPhotos.Count:N0} photos left out: trained on {trainingSet.Count:N0} for {recipe.Epochs} epochs, as many steps as {options.Recipe.Epochs} on all");
                }
                for (int repeat = options.FirstVictim - 1; repeat < options.FirstVictim - 1 + options.VictimSeeds; repeat++)
                {
                    int victimSeed = options.VictimSeed(repeat);
                    foreach (var architecture in options.Architectures)
                    {
                        string name = VictimArchitectures.Name(architecture);
                        var epochs = new InlineProgress<VictimEpoch>(e => progress?.Report(BenchmarkProgress.EpochFinished(rowName, name, e)));
                        var runClock = Stopwatch.StartNew();
                        var (model, fitted) = VictimTrainer.Fit(architecture, trainingSet, recipe, victimSeed, device, epochs,
                            error => progress?.Report(BenchmarkProgress.Retrying(rowName, name, error)), cancellationToken);
                        int[] predictions;
                        using (model)
                            predictions = VictimTrainer.Predict(model, test, options.Recipe.TestBatchSize, device, cancellationToken);
                        runs.Add(Score(rowName, name, victimSeed, predictions, test, owners, data.People, fitted.FinalTrainAccuracy, runClock.Elapsed, note, progress));
                    }
                    if (options.LinearProbe)
                    {
                        var runClock = Stopwatch.StartNew();
                        var (predictions, trainAccuracy) = SurrogateLinearProbe.Fit(trainingSet, test, victimSeed, device, cancellationToken);
                        runs.Add(Score(rowName, SurrogateLinearProbe.Name, victimSeed, predictions, test, owners, data.People, trainAccuracy, runClock.Elapsed, note, progress));
                    }
                }
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);

        return new IdentityResult
        {
            DataSource = Path.GetFileName(options.DataSource.TrimEnd('/', Path.DirectorySeparatorChar)),
            People = data.People,
            Owners = ownerNames,
            TrainImages = data.Train.Count,
            TestImages = data.Test.Count,
            PhotoSize = options.PhotoSize,
            FaceBox = options.FaceBox,
            VictimSize = options.VictimSize,
            Epsilon = options.Epsilon,
            Seed = options.Seed,
            KeySeed = options.EffectiveKeySeed,
            Recipe = options.Recipe,
            ModelVersion = card?.Version,
            ModelTrained = card?.Trained,
            ModelWarning = card?.Warning,
            ProtectedQuality = protectedPhotos is null ? null : ImageQuality.Compare(Subset(data.Train, ownedPhotos), Subset(protectedPhotos, ownedPhotos)),
            OwnerPsnrDb = protectedPhotos is null ? null : owners.Order().ToDictionary(o => data.People[o], o =>
            {
                var photos = ownedPhotos.Where(i => data.Train.Label(i) == o).ToList();
                return ImageQuality.Compare(Subset(data.Train, photos), Subset(protectedPhotos, photos)).PsnrDb;
            }),
            OwnerAtoms = card?.Architecture.Family is OwnerTextureFamily keyed
                ? ownerNames.ToDictionary(name => name, name => (IReadOnlyList<int>)OwnerTextureGenerator.AtomsOf(keyring.Derive(name).Bytes, keyed.Atoms))
                : null,
            Removal = removal,
            Runs = runs,
            Started = started,
            Elapsed = clock.Elapsed,
            Machine = ProtectionBenchmark.Machine(device),
        };
    }

    /// <summary>A row's face crops at the victim's size, labelled by person.</summary>
    private static LabeledImages TrainingSet(IdentityRow row, IdentityData data, LabeledImages? protectedPhotos, LabeledImages? removedPhotos,
        IReadOnlyList<int> ownedPhotos, HashSet<int> owners, IdentityBenchmarkOptions options)
    {
        LabeledImages RequireProtected() => protectedPhotos ?? throw new InvalidOperationException($"Row '{row.Name}' needs the protected photos.");
        var photos = row switch
        {
            _ when row == IdentityRows.CleanAveraging => OwnerAveragingAttack.Apply(data.Train, owners),
            _ when row.IsClean => data.Train,
            _ when row == IdentityRows.Averaging => OwnerAveragingAttack.Apply(RequireProtected(), owners),
            _ when row == IdentityRows.Removed => removedPhotos ?? throw new InvalidOperationException("Row 'removed' needs an owner-keyed model."),
            _ when row.Coverage < 1 => Covered(data.Train, RequireProtected(), ownedPhotos, row.Coverage, options.Seed),
            _ => RequireProtected(),
        };
        var crops = CropAll(photos, options, 0);
        if (row == IdentityRows.CleanWithoutOwners)
        {
            // Cropped before leaving the owners out, so that everyone else's crops are the clean row's.
            crops = Subset(crops, Enumerable.Range(0, crops.Count).Where(i => !owners.Contains(crops.Label(i))).ToList());
        }
        return row.Countermeasure?.Apply(crops) ?? crops;
    }

    /// <summary>The clean photos with a seeded share of each owner's photos replaced by their protected copies.</summary>
    private static LabeledImages Covered(LabeledImages clean, LabeledImages protectedPhotos, IReadOnlyList<int> ownedPhotos, double coverage, int seed)
    {
        var random = new Random(seed);
        var output = Enumerable.Range(0, clean.Count).Select(clean.Pixels).ToArray();
        foreach (var owner in ownedPhotos.GroupBy(clean.Label))
        {
            var members = owner.ToArray();
            random.Shuffle(members);
            foreach (int i in members.Take((int)Math.Round(coverage * members.Length)))
                output[i] = protectedPhotos.Pixels(i);
        }
        return clean.WithPixels(output);
    }

    private static LabeledImages CropAll(LabeledImages photos, IdentityBenchmarkOptions options, int seedOffset)
    {
        var crops = new byte[photos.Count][];
        Parallel.For(0, photos.Count, i => crops[i] = FaceCrop.Apply(photos.Pixels(i), photos.Size, options.FaceBox, options.VictimSize,
            StepSeeds.Mix(options.Seed, i + seedOffset, 0)));
        return photos.WithPixels(crops, options.VictimSize);
    }

    private static async Task<(LabeledImages Protected, ModelCard Card, LabeledImages? Removed, RemovalSummary? Removal)> ProtectAsync(
        IdentityBenchmarkOptions options, IdentityData data, List<int> ownedPhotos, OwnerKeyring keyring, IReadOnlyList<int> owners,
        IProgress<BenchmarkProgress>? progress, CancellationToken cancellationToken)
    {
        var host = EngineProtection.CreateHost(options.ModelsPath, options.ModelVersion, options.Device);
        await using (host.ConfigureAwait(false))
        {
            var card = host.Models.Card;
            progress?.Report(new BenchmarkProgress(BenchmarkStage.Protecting,
                $"Protecting the owners' {ownedPhotos.Count:N0} training photos at {data.Size} px with {card.Version}, each with its owner's key"
                + (card.Trained ? "" : $": {ModelCard.UntrainedWarning}"), 0, ownedPhotos.Count));
            var owned = Subset(data.Train, ownedPhotos);
            var protectedOwned = await EngineProtection.ProtectAsync(owned, host.Protector,
                new ProtectionOptions { Epsilon = options.Epsilon, Format = options.ProtectFormat }, EngineProtection.Concurrency,
                ownerOf: i => keyring.Derive(data.People[owned.Label(i)]), cancellationToken: cancellationToken).ConfigureAwait(false);
            var output = Enumerable.Range(0, data.Train.Count).Select(data.Train.Pixels).ToArray();
            for (int k = 0; k < ownedPhotos.Count; k++)
                output[ownedPhotos[k]] = protectedOwned.Protected.Pixels(k);
            var protectedPhotos = data.Train.WithPixels(output);

            if (!options.Rows.Contains(IdentityRows.Removed))
                return (protectedPhotos, card, null, null);
            using var lease = host.Models.Acquire();
            if (lease.Model.Generator is not OwnerTextureGenerator keyed)
                throw new InvalidOperationException($"Row 'removed' needs an owner-keyed model; {card.Version} is {card.Architecture.Name}.");
            var (removed, summary) = Remove(data, protectedPhotos, ownedPhotos, keyring, owners, keyed, card.WorkingSize, options.Epsilon);
            progress?.Report(new BenchmarkProgress(BenchmarkStage.Protecting, string.Create(CultureInfo.InvariantCulture,
                $"Removal by the key holder: texture found in {summary.Found}/{summary.Photos} photos, {summary.WithinOneLevel:P2} of values within one level of clean, {summary.AppliedLeft:P2} of the applied change left; another owner's key found a texture in {summary.WrongKeyFound}")));
            return (protectedPhotos, card, removed, summary);
        }
    }

    /// <summary>Each owner's protected photos unprotected with the owner's key; also tries another owner's key, which must find nothing.</summary>
    private static (LabeledImages Removed, RemovalSummary Summary) Remove(IdentityData data, LabeledImages protectedPhotos, List<int> ownedPhotos,
        OwnerKeyring keyring, IReadOnlyList<int> owners, OwnerTextureGenerator generator, int workingSize, int epsilon)
    {
        var output = Enumerable.Range(0, protectedPhotos.Count).Select(protectedPhotos.Pixels).ToArray();
        int found = 0, wrong = 0;
        var residue = new RemovalResidue();
        foreach (int i in ownedPhotos)
        {
            int label = data.Train.Label(i);
            string person = data.People[label];
            int otherOwner = owners.FirstOrDefault(o => o != label, label);
            string other = data.People[otherOwner];
            using var image = ChwPixels.ToImage(protectedPhotos.Pixels(i), data.Size).CloneAs<Rgba32>();
            if (other != person && PerturbationRemover.Detect(image, generator, workingSize, epsilon, keyring.DeriveAll(other)).Found)
                wrong++;
            var match = PerturbationRemover.Remove(image, generator, workingSize, epsilon, grayscale: false, keyring.DeriveAll(person));
            if (match.Found)
                found++;
            output[i] = ChwPixels.FromImage(image);
            residue.Add(data.Train.Pixels(i), protectedPhotos.Pixels(i), output[i]);
        }
        return (protectedPhotos.WithPixels(output), new RemovalSummary(ownedPhotos.Count, found, residue.WithinOneLevel, wrong, residue.AppliedLeft));
    }

    private static IdentityRun Score(string row, string architecture, int victimSeed, int[] predictions, LabeledImages test, IReadOnlyList<int> owners,
        IReadOnlyList<string> people, double trainAccuracy, TimeSpan elapsed, string? note, IProgress<BenchmarkProgress>? progress)
    {
        var ownerSet = owners.ToHashSet();
        // Of the test photos whose label passes include, the share whose prediction passes hit.
        double Share(Func<int, bool> include, Func<int, int, bool> hit)
        {
            var members = Enumerable.Range(0, test.Count).Where(i => include(test.Label(i))).ToList();
            return members.Count == 0 ? double.NaN : members.Count(i => hit(predictions[i], test.Label(i))) / (double)members.Count;
        }
        double Accuracy(Func<int, bool> include) => Share(include, (predicted, label) => predicted == label);
        double othersNamedAsOwner = Share(l => !ownerSet.Contains(l), (predicted, _) => ownerSet.Contains(predicted));
        var perPerson = Enumerable.Range(0, people.Count).ToDictionary(p => people[p], p => Accuracy(l => l == p));
        var run = new IdentityRun(row, architecture, victimSeed, Accuracy(ownerSet.Contains), Accuracy(l => !ownerSet.Contains(l)), Accuracy(_ => true), othersNamedAsOwner,
            owners.Order().ToDictionary(o => people[o], o => perPerson[people[o]]), perPerson, trainAccuracy, elapsed, note);
        progress?.Report(new BenchmarkProgress(BenchmarkStage.RunFinished, string.Create(CultureInfo.InvariantCulture,
            $"{row} / {architecture} (victim seed {victimSeed}): owners {run.OwnersAccuracy * 100:0.0} %, others {run.OthersAccuracy * 100:0.0} %, all {run.AllAccuracy * 100:0.0} %"),
            Row: row, Architecture: architecture));
        return run;
    }

    private static List<int> DrawOwners(int people, int count, int seed)
    {
        if (count >= people)
            throw new InvalidOperationException($"{count} owners leave nobody unprotected among {people} people; choose fewer.");
        var order = Enumerable.Range(0, people).ToArray();
        new Random(seed).Shuffle(order);
        return [.. order.Take(count)];
    }

    /// <summary>The benchmark's own server secret, fixed by the seed so that a run can be repeated key for key.</summary>
    private static string BenchmarkSecret(int seed) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"uploadguard identity benchmark secret {seed}"))));

    private static LabeledImages Subset(LabeledImages images, IReadOnlyList<int> indices) =>
        new(images.Size, indices.Select(images.Pixels).ToList(), indices.Select(images.Label).ToList(), images.Classes);
}
