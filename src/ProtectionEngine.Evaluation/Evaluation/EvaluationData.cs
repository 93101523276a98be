using UploadGuard.ProtectionEngine.Datasets;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// Reads a labelled train/test split from a folder or archive laid out as <c>&lt;subset&gt;/&lt;class&gt;/&lt;file&gt;</c>
/// (CIFAR-10 and Imagenette in ../shared/data are): labels come from the class folders, which only evaluation reads.
/// </summary>
internal static class EvaluationData
{
    /// <param name="trainSize">Side the training images are held at: the size they are protected at.</param>
    /// <param name="testSize">Side the victim sees (test images are never protected, so they are read at this size).</param>
    /// <param name="perClass">Training images kept per class (a seeded random choice), or null for all.</param>
    /// <exception cref="FileNotFoundException">The source does not exist.</exception>
    /// <exception cref="InvalidOperationException">A subset holds no images, or test classes that training lacks.</exception>
    public static (LabeledImages Train, LabeledImages Test) Load(string source, string trainSubset, string testSubset, int trainSize, int testSize,
        int? perClass, int seed, IProgress<DatasetLoadStatistics>? progress = null, CancellationToken cancellationToken = default)
    {
        var train = ImageDatasetLoader.Load(new ImageDatasetOptions { Source = source, Subset = trainSubset, ImageSize = trainSize, Seed = seed }, progress, cancellationToken);
        var test = ImageDatasetLoader.Load(new ImageDatasetOptions { Source = source, Subset = testSubset, ImageSize = testSize, Seed = seed }, progress, cancellationToken);
        if (train.Count == 0)
            throw new InvalidOperationException($"{train.Description} holds no images.");
        if (test.Count == 0)
            throw new InvalidOperationException($"{test.Description} holds no images.");

        var classes = Enumerable.Range(0, train.Count).Select(i => ClassOf(train, i)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (classes.Count < 2)
            throw new InvalidOperationException($"{train.Description} has {classes.Count} class folder(s); a classifier needs at least 2.");
        var index = classes.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);

        var chosen = SelectPerClass(train, index, perClass, seed);
        var labeledTrain = new LabeledImages(trainSize, chosen.Select(i => train.Pixels(i).ToArray()).ToList(),
            chosen.Select(i => index[ClassOf(train, i)]).ToList(), classes);

        var testLabels = new int[test.Count];
        for (int i = 0; i < test.Count; i++)
        {
            string name = ClassOf(test, i);
            testLabels[i] = index.TryGetValue(name, out int label)
                ? label
                : throw new InvalidOperationException($"Test image '{test.Paths[i]}' is in class '{name}', which the training subset does not have.");
        }
        var labeledTest = new LabeledImages(testSize, Enumerable.Range(0, test.Count).Select(i => test.Pixels(i).ToArray()).ToList(), testLabels, classes);
        return (labeledTrain, labeledTest);
    }

    /// <summary>Indices of the kept images: per class a seeded shuffle cut at <paramref name="perClass"/>, classes in order.</summary>
    private static List<int> SelectPerClass(ImageDataset dataset, Dictionary<string, int> classes, int? perClass, int seed)
    {
        var random = new Random(seed);
        var byClass = Enumerable.Range(0, dataset.Count).GroupBy(i => classes[ClassOf(dataset, i)]).OrderBy(g => g.Key);
        var chosen = new List<int>();
        foreach (var group in byClass)
        {
            var members = group.ToArray();
            if (perClass is { } cap && cap < members.Length)
            {
                random.Shuffle(members);
                members = [.. members[..cap].Order()];
            }
            chosen.AddRange(members);
        }
        return chosen;
    }

    private static string ClassOf(ImageDataset dataset, int index) =>
        dataset.ClassFolderForEvaluation(index)
        ?? throw new InvalidOperationException($"'{dataset.Paths[index]}' is not inside a class folder; expected <subset>/<class>/<file>.");
}
