using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Tests.Support;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

public sealed class EngineProtectionTests(SmallEngineFixture fixture) : IClassFixture<SmallEngineFixture>
{
    [Fact]
    public async Task Protects_every_image_within_epsilon_keeps_labels_and_says_the_model_is_untrained()
    {
        const int size = 24;
        var random = new Random(3);
        var pixels = Enumerable.Range(0, 6).Select(_ =>
        {
            var chw = new byte[3 * size * size];
            random.NextBytes(chw);
            return chw;
        }).ToList();
        var clean = new LabeledImages(size, pixels, [0, 1, 0, 1, 0, 1], ["a", "b"]);

        var result = await EngineProtection.ProtectAsync(clean, fixture.Engine.Protector, new ProtectionOptions { Epsilon = 8, Format = OutputFormat.Png });

        var quality = ImageQuality.Compare(clean, result.Protected);
        Assert.InRange(quality.MaxAbsDifference, 1, 8);
        Assert.NotNull(quality.PsnrDb);
        Assert.Equal([0, 1, 0, 1, 0, 1], Enumerable.Range(0, 6).Select(result.Protected.Label));
        Assert.False(result.ModelTrained);
        Assert.Equal(ModelCard.UntrainedWarning, result.Warning);
        Assert.Equal("test-small", result.ModelVersion);
    }
}
