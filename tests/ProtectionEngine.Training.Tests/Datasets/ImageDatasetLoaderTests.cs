using UploadGuard.ProtectionEngine.Datasets;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Datasets;

public sealed class ImageDatasetLoaderTests
{
    private const int Size = 16;

    public static TheoryData<string> Layouts => ["tar", "tar.gz", "folder"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Reads_the_subset_decodes_every_format_and_counts_what_it_skips(string layout)
    {
        var dataset = ImageDatasetLoader.Load(new ImageDatasetOptions { Source = Write(layout, TestArchives.MixedFiles()), Subset = "set/train/", ImageSize = Size });

        Assert.Equal(["set/train/cat/0001.png", "set/train/cat/0002.png", "set/train/dog/0003.jpg", "set/train/dog/0004.webp"], dataset.Paths.Order(StringComparer.Ordinal));
        Assert.Equal(new DatasetLoadStatistics(FilesInSubset: 6, Images: 4, SkippedNotImages: 1, SkippedUndecodable: 1, Kept: 4), dataset.Statistics);
        Assert.Contains("subset set/train/", dataset.Description);
        for (int i = 0; i < dataset.Count; i++)
            Assert.Equal(3 * Size * Size, dataset.Pixels(i).Length);
    }

    [Fact]
    public void Grayscale_images_become_rgb_with_equal_channels()
    {
        var dataset = ImageDatasetLoader.Load(new ImageDatasetOptions { Source = Write("tar", TestArchives.MixedFiles()), Subset = "set/train/dog/0003", ImageSize = Size });

        var planes = dataset.Pixels(0).Span;
        int plane = Size * Size;
        Assert.Equal(planes[..plane].ToArray(), planes.Slice(plane, plane).ToArray());
        Assert.Equal(planes[..plane].ToArray(), planes.Slice(2 * plane, plane).ToArray());
    }

    [Fact]
    public void Class_folders_are_exposed_for_evaluation_only_by_name()
    {
        var dataset = ImageDatasetLoader.Load(new ImageDatasetOptions { Source = Write("folder", TestArchives.MixedFiles()), ImageSize = Size });

        var byPath = Enumerable.Range(0, dataset.Count).ToDictionary(dataset.Paths.ElementAt, dataset.ClassFolderForEvaluation);
        Assert.Equal("cat", byPath["set/train/cat/0001.png"]);
        Assert.Equal("dog", byPath["set/train/dog/0004.webp"]);
        Assert.Equal("cat", byPath["set/test/cat/0005.png"]);
    }

    [Fact]
    public void First_sampling_keeps_the_first_images_and_stops()
    {
        var dataset = ImageDatasetLoader.Load(new ImageDatasetOptions
        {
            Source = Write("tar.gz", TestArchives.Classes(4, 5)),
            MaxImages = 3,
            Sampling = DatasetSampling.First,
            ImageSize = Size,
        });

        Assert.Equal(["data/class0/0000.png", "data/class0/0001.png", "data/class0/0002.png"], dataset.Paths);
        Assert.Equal(3, dataset.Statistics.FilesInSubset);
    }

    [Fact]
    public void Random_sampling_draws_from_the_whole_subset_and_is_seeded()
    {
        string source = Write("tar", TestArchives.Classes(4, 5));
        ImageDataset Sample(int seed) => ImageDatasetLoader.Load(new ImageDatasetOptions { Source = source, MaxImages = 6, Seed = seed, ImageSize = Size });

        var first = Sample(3);
        Assert.Equal(6, first.Count);
        Assert.Equal(20, first.Statistics.Images);
        Assert.Equal(6, first.Paths.Distinct().Count());
        // The archive stores one class after another; a first-N cap would see only class0.
        Assert.True(Enumerable.Range(0, first.Count).Select(first.ClassFolderForEvaluation).Distinct().Count() > 1);
        Assert.Equal(first.Paths, Sample(3).Paths);
        Assert.NotEqual(first.Paths.Order(), Sample(4).Paths.Order());
    }

    [Fact]
    public void Batch_stacks_images_as_floats_in_the_unit_range()
    {
        var dataset = ImageDatasetLoader.Load(new ImageDatasetOptions { Source = Write("tar", TestArchives.Classes(1, 3)), ImageSize = Size });
        using var scope = NewDisposeScope();

        var batch = dataset.Batch([2, 0]);

        Assert.Equal([2L, 3, Size, Size], batch.shape);
        Assert.Equal(ScalarType.Float32, batch.dtype);
        var expected = dataset.Pixels(2).ToArray().Select(b => b / 255f).ToArray();
        Assert.Equal(expected, batch[0].flatten().data<float>().ToArray());
    }

    [Fact]
    public void A_missing_source_is_reported_by_name()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => ImageDatasetLoader.OpenSource("/nonexistent/photos.tar.gz"));
        Assert.Contains("/nonexistent/photos.tar.gz", ex.Message);
    }

    [Fact]
    public void A_file_that_is_not_an_archive_is_refused()
    {
        string path = Path.Combine(TestArchives.NewTempFolder(), "photo.png");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<FileNotFoundException>(() => ImageDatasetLoader.OpenSource(path));
    }

    [SharedDataFact("cifar10-jpg.tar.gz")]
    public void Reads_cifar10_test_images_from_the_shared_archive()
    {
        var dataset = ImageDatasetLoader.Load(new ImageDatasetOptions
        {
            Source = SharedDatasets.Find("cifar10-jpg.tar.gz")!,
            Subset = "cifar10-jpg/test/",
            MaxImages = 20,
            Sampling = DatasetSampling.First,
            ImageSize = 32,
        });

        Assert.Equal(20, dataset.Count);
        Assert.All(dataset.Paths, p => Assert.StartsWith("cifar10-jpg/test/", p));
        Assert.Equal(0, dataset.Statistics.Skipped);
        Assert.NotNull(dataset.ClassFolderForEvaluation(0));
    }

    private static string Write(string layout, List<(string Name, byte[] Data)> files) => layout switch
    {
        "tar" => TestArchives.WriteTar(files, gzip: false),
        "tar.gz" => TestArchives.WriteTar(files, gzip: true),
        _ => TestArchives.WriteFolder(files),
    };
}
