using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.ProtectionEngine.Tests.Training;

public sealed class AttackerPipelineTests
{
    private static readonly GeneratorTrainingOptions Options = new() { DataSource = "unused", ModelsPath = "unused", ProxySize = 64, MinProxySize = 32 };

    [Fact]
    public void Pipelines_are_drawn_from_the_per_step_distributions()
    {
        var random = new Random(5);
        var pipelines = Enumerable.Range(0, 2000).Select(_ => AttackerPipeline.Draw(Options with { JpegProbability = 0.7 }, random)).ToList();

        Assert.All(pipelines, p => Assert.InRange(p.ViewSize, 32, 64));
        Assert.All(pipelines, p => Assert.InRange(p.CropSide, AttackerPipeline.MinCropSide, 1));
        Assert.All(pipelines.Where(p => p.BlurSigma is not null), p => Assert.InRange(p.BlurSigma!.Value, 0.3, 1));
        Assert.All(pipelines.Where(p => p.JpegQuality is not null), p => Assert.InRange(p.JpegQuality!.Value, 60, 95));
        Assert.Equal([32, 64], [pipelines.Min(p => p.ViewSize), pipelines.Max(p => p.ViewSize)]);
        Assert.InRange(pipelines.Count(p => p.JpegQuality is not null) / 2000.0, 0.65, 0.75);
        Assert.InRange(pipelines.Count(p => p.BlurSigma is not null) / 2000.0, 0.16, 0.24);
        Assert.InRange(pipelines.Count(p => p.Halves) / 2000.0, 0.16, 0.24);
        Assert.All(Enumerable.Range(0, 50).Select(_ => AttackerPipeline.Draw(Options with { JpegProbability = 0 }, random)), p => Assert.Null(p.JpegQuality));
        Assert.All(Enumerable.Range(0, 50).Select(_ => AttackerPipeline.Draw(Options with { MinProxySize = 64 }, random)), p => Assert.Equal(64, p.ViewSize));
    }

    [Fact]
    public void The_halving_probability_sets_how_often_views_are_halved_without_moving_the_other_draws()
    {
        var random = new Random(7);
        var often = Enumerable.Range(0, 2000).Select(_ => AttackerPipeline.Draw(Options with { HalvingProbability = 0.5 }, random)).ToList();
        Assert.InRange(often.Count(p => p.Halves) / 2000.0, 0.45, 0.55);
        Assert.DoesNotContain(Enumerable.Range(0, 50).Select(_ => AttackerPipeline.Draw(Options with { HalvingProbability = 0 }, random)), p => p.Halves);

        // One draw whatever the share, so a run with another share keeps every other draw of its stream.
        var usual = new Random(11);
        var halvedMore = new Random(11);
        for (int i = 0; i < 20; i++)
        {
            var expected = AttackerPipeline.Draw(Options, usual);
            var actual = AttackerPipeline.Draw(Options with { HalvingProbability = 0.5 }, halvedMore);
            Assert.Equal(expected with { Halves = actual.Halves }, actual);
        }
    }

    [Theory]
    [InlineData(0.5, 0.45, 0.55)]
    [InlineData(0.31, 0.3, 0.341)]
    [InlineData(0.95, 0.855, 1)]
    public void A_groups_crop_keeps_near_the_episodes_within_the_allowed_sides(double side, double low, double high)
    {
        var pipeline = new AttackerPipeline(64, side, null, false, null);
        var random = new Random(9);
        var sides = Enumerable.Range(0, 1000).Select(_ => pipeline.GroupCropSide(random)).ToList();

        Assert.All(sides, s => Assert.InRange(s, low, high));
        Assert.True(sides.Distinct().Count() > 100, "the crop side is jittered per group");
    }

    [Fact]
    public void Names_what_the_attacker_does()
    {
        Assert.Equal("48 px, crops of 62%, blur 0.50, halved, JPEG 75", new AttackerPipeline(48, 0.62, 0.5, true, 75).ToString());
        Assert.Equal("64 px, crops of 100%", new AttackerPipeline(64, 1, null, false, null).ToString());
    }
}
