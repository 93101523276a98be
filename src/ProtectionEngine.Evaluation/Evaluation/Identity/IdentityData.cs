using UploadGuard.ProtectionEngine.Datasets;

namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>
/// People and their photos for the identity benchmark: every person folder with at least
/// <see cref="IdentityBenchmarkOptions.MinPhotos"/> photos, at most <see cref="IdentityBenchmarkOptions.MaxPhotos"/> of
/// them (first by file name), split per person by file name into training and test photos. Photos are CHW bytes at
/// the photo size. The person folder is the label: only evaluation reads it.
/// </summary>
internal sealed class IdentityData
{
    private IdentityData(int size, IReadOnlyList<string> people, LabeledImages train, LabeledImages test)
    {
        Size = size;
        People = people;
        Train = train;
        Test = test;
    }

    public int Size { get; }

    public IReadOnlyList<string> People { get; }

    /// <summary>Training photos at <see cref="Size"/>, labelled by person.</summary>
    public LabeledImages Train { get; }

    /// <summary>Test photos at <see cref="Size"/>, labelled by person.</summary>
    public LabeledImages Test { get; }

    /// <exception cref="InvalidOperationException">Fewer than two people have enough photos.</exception>
    public static IdentityData Load(IdentityBenchmarkOptions options, IProgress<DatasetLoadStatistics>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dataset = ImageDatasetLoader.Load(new ImageDatasetOptions { Source = options.DataSource, ImageSize = options.PhotoSize, Seed = options.Seed },
            progress, cancellationToken);
        var byPerson = Enumerable.Range(0, dataset.Count)
            .Select(i => (Index: i, Person: dataset.ClassFolderForEvaluation(i)))
            .Where(p => p.Person is not null)
            .GroupBy(p => p.Person!, StringComparer.Ordinal)
            .Where(g => g.Count() >= options.MinPhotos)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (byPerson.Count < 2)
            throw new InvalidOperationException($"{dataset.Description} has {byPerson.Count} person folder(s) with at least {options.MinPhotos} photos; the benchmark needs 2.");

        var people = byPerson.Select(g => g.Key).ToList();
        var trainPixels = new List<byte[]>();
        var trainLabels = new List<int>();
        var testPixels = new List<byte[]>();
        var testLabels = new List<int>();
        for (int label = 0; label < byPerson.Count; label++)
        {
            var photos = byPerson[label].OrderBy(p => dataset.Paths[p.Index], StringComparer.Ordinal).Take(options.MaxPhotos).ToList();
            int train = (int)Math.Floor(options.TrainFraction * photos.Count);
            for (int i = 0; i < photos.Count; i++)
            {
                var pixels = dataset.Pixels(photos[i].Index).ToArray();
                (i < train ? trainPixels : testPixels).Add(pixels);
                (i < train ? trainLabels : testLabels).Add(label);
            }
        }
        return new IdentityData(options.PhotoSize, people,
            new LabeledImages(options.PhotoSize, trainPixels, trainLabels, people),
            new LabeledImages(options.PhotoSize, testPixels, testLabels, people));
    }
}
