using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Tests.Datasets;
using UploadGuard.ProtectionEngine.Tests.Support;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

public sealed class EvaluationDataTests
{
    [Fact]
    public void Labels_come_from_class_folders_and_the_training_set_is_cut_per_class()
    {
        var source = TestArchives.WriteTar(Split(("train", 5), ("test", 2)), gzip: true);

        var (train, test) = EvaluationData.Load(source, "set/train/", "set/test/", trainSize: 24, testSize: 16, perClass: 3, seed: 1);

        Assert.Equal(["bird", "cat", "dog"], train.Classes);
        Assert.Equal((9, 24), (train.Count, train.Size));
        Assert.Equal([3, 3, 3], Enumerable.Range(0, train.Count).GroupBy(train.Label).Select(g => g.Count()));
        Assert.Equal((6, 16), (test.Count, test.Size));
        Assert.Equal(train.Classes, test.Classes);
        Assert.Equal([2, 2, 2], Enumerable.Range(0, test.Count).GroupBy(test.Label).Select(g => g.Count()));
    }

    [Fact]
    public void The_per_class_choice_depends_on_the_seed_only()
    {
        var source = TestArchives.WriteFolder(Split(("train", 6), ("test", 1)));

        byte[][] Chosen(int seed)
        {
            var (train, _) = EvaluationData.Load(source, "set/train/", "set/test/", 16, 16, perClass: 2, seed);
            return Enumerable.Range(0, train.Count).Select(train.Pixels).ToArray();
        }

        Assert.Equal(Chosen(4), Chosen(4));
        Assert.NotEqual(Chosen(4), Chosen(5));
    }

    [Fact]
    public void A_test_class_missing_from_training_is_an_error()
    {
        var files = Split(("train", 2), ("test", 1));
        files.Add(("set/test/horse/0.png", TestImages.EncodedPhoto(16, 16, ImageFormatKind.Png, seed: 99)));
        var source = TestArchives.WriteFolder(files);

        var error = Assert.Throws<InvalidOperationException>(() => EvaluationData.Load(source, "set/train/", "set/test/", 16, 16, null, 1));
        Assert.Contains("horse", error.Message);
    }

    [Fact]
    public void An_empty_subset_is_an_error()
    {
        var source = TestArchives.WriteFolder(Split(("train", 2)));

        var error = Assert.Throws<InvalidOperationException>(() => EvaluationData.Load(source, "set/train/", "set/test/", 16, 16, null, 1));
        Assert.Contains("no images", error.Message);
    }

    private static List<(string Name, byte[] Data)> Split(params (string Subset, int PerClass)[] subsets) =>
        subsets.SelectMany(s => new[] { "bird", "cat", "dog" }.SelectMany((name, c) => Enumerable.Range(0, s.PerClass).Select(i =>
            ($"set/{s.Subset}/{name}/{i:000}.png", TestImages.EncodedPhoto(20, 20, ImageFormatKind.Png, seed: 1000 * c + 10 * i + s.Subset.Length)))))
        .ToList();
}
