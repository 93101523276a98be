using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Evaluation.Countermeasures;
using UploadGuard.ProtectionEngine.Evaluation.Identity;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

public sealed class BenchmarkRowsTests
{
    [Fact]
    public void Row_names_round_trip_and_say_what_they_need()
    {
        foreach (var row in BenchmarkRows.All)
            Assert.Equal(row, BenchmarkRows.Parse(row.Name));
        Assert.Equal(["clean", "protected", "jpeg75", "jpeg10", "gray", "downscale", "clean-jpeg75", "clean-jpeg10", "clean-gray", "clean-downscale",
            "sanity-block", "sanity-pixel", "concept-block", "concept-hash"], BenchmarkRows.All.Select(r => r.Name));
        Assert.Equal(["protected", "jpeg75", "jpeg10", "gray", "downscale"], BenchmarkRows.All.Where(r => r.NeedsProtection).Select(r => r.Name));
        Assert.Throws<ArgumentException>(() => BenchmarkRows.Parse("blur"));
        Assert.DoesNotContain(BenchmarkRows.ConceptBlock, BenchmarkRows.Defaults(withModel: true));
        Assert.DoesNotContain(BenchmarkRows.ConceptHash, BenchmarkRows.Defaults(withModel: true));
        Assert.Equal([BenchmarkRows.Clean, BenchmarkRows.SanityBlock, BenchmarkRows.SanityPixel], BenchmarkRows.Defaults(withModel: false));
        // Every countermeasure row a default run makes comes with the same countermeasure on the clean images.
        var defaults = BenchmarkRows.Defaults(withModel: true);
        var washed = defaults.Where(r => r.NeedsProtection && r.Countermeasure is not null).ToList();
        Assert.Equal(CountermeasureCatalog.All, washed.Select(r => r.Countermeasure));
        Assert.All(washed, r => Assert.Single(defaults, d => d.IsCountermeasureReference && d.Countermeasure == r.Countermeasure));
    }

    [Fact]
    public void Each_countermeasure_gives_the_identity_benchmark_its_two_rows_too()
    {
        foreach (var countermeasure in CountermeasureCatalog.All)
        {
            var attacked = IdentityRows.Parse(countermeasure.Name);
            var reference = IdentityRows.Parse($"clean-{countermeasure.Name}");
            Assert.Equal((1.0, countermeasure), (attacked.Coverage, attacked.Countermeasure));
            Assert.True(reference.IsClean);
            Assert.Equal(countermeasure, reference.Countermeasure);
        }
        foreach (var row in IdentityRows.All)
            Assert.Same(row, IdentityRows.Parse(row.Name));
        Assert.Throws<ArgumentException>(() => IdentityRows.Parse("blur"));
    }

    [Fact]
    public void Rows_that_need_protection_are_refused_without_a_model()
    {
        var options = new BenchmarkOptions
        {
            DataSource = "data.tar.gz",
            TrainSubset = "train/",
            TestSubset = "test/",
            ModelsPath = "models",
            Rows = [BenchmarkRows.Clean, BenchmarkRows.Parse("jpeg10")],
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("jpeg10", error.Message);
        (options with { Rows = BenchmarkRows.WithoutModel }).Validate();
    }

    [Fact]
    public void Sanity_rows_add_class_wise_noise_to_the_clean_images_and_countermeasure_rows_wash_the_protected_ones_or_for_a_reference_the_clean_ones()
    {
        const int size = 16;
        var clean = new LabeledImages(size, [Enumerable.Repeat((byte)100, 3 * size * size).ToArray()], [0], ["a"]);
        var protectedImages = clean.WithPixels([Enumerable.Repeat((byte)104, 3 * size * size).ToArray()]);
        var options = new BenchmarkOptions { DataSource = "d", TrainSubset = "a/", TestSubset = "b/", ModelsPath = "m", ModelVersion = "v" };

        var block = ProtectionBenchmark.TrainingSet(BenchmarkRows.SanityBlock, clean, protectedImages, options);
        var gray = ProtectionBenchmark.TrainingSet(BenchmarkRows.Parse("gray"), clean, protectedImages, options);
        var cleanGray = ProtectionBenchmark.TrainingSet(BenchmarkRows.Parse("clean-gray"), clean, null, options);

        Assert.All(block.Pixels(0), v => Assert.True(v is 92 or 108));
        Assert.All(gray.Pixels(0), v => Assert.Equal(104, v));
        Assert.All(cleanGray.Pixels(0), v => Assert.Equal(100, v));
        Assert.Same(clean, ProtectionBenchmark.TrainingSet(BenchmarkRows.Clean, clean, null, options));
        Assert.Throws<InvalidOperationException>(() => ProtectionBenchmark.TrainingSet(BenchmarkRows.Protected, clean, null, options));
        Assert.Throws<InvalidOperationException>(() => ProtectionBenchmark.TrainingSet(BenchmarkRows.ConceptBlock, clean, null, options));
        Assert.Throws<InvalidOperationException>(() => ProtectionBenchmark.TrainingSet(BenchmarkRows.ConceptHash, clean, null, options));
    }

    [Fact]
    public void The_sanity_block_follows_the_block_size_and_sizes_outside_the_image_are_refused()
    {
        const int size = 32;
        var clean = new LabeledImages(size, [Enumerable.Repeat((byte)100, 3 * size * size).ToArray()], [0], ["a"]);
        var options = new BenchmarkOptions { DataSource = "d", TrainSubset = "a/", TestSubset = "b/", ModelsPath = "m", Size = size, BlockSize = 16 };

        var pixels = ProtectionBenchmark.TrainingSet(BenchmarkRows.SanityBlock, clean, null, options).Pixels(0);

        for (int channel = 0; channel < 3; channel++)
        {
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                    Assert.Equal(pixels[channel * size * size + y / 16 * 16 * size + x / 16 * 16], pixels[channel * size * size + y * size + x]);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>((options with { BlockSize = 1 }).Validate);
        Assert.Throws<ArgumentOutOfRangeException>((options with { BlockSize = 33 }).Validate);
        (options with { Rows = BenchmarkRows.WithoutModel }).Validate();
    }
}
