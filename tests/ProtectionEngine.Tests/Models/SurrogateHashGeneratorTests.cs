using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Tests.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Models;

[Collection(SharedSurrogateGroup.Name)]
public sealed class SurrogateHashGeneratorTests(TrainingSurrogateFixture fixture)
{
    [Fact]
    public void The_smooth_variant_draws_the_same_code_without_edges_between_cells()
    {
        using var features = randn(16, ResNet18Surrogate.FeatureCount, generator: new TorchSharp.torch.Generator(2)).relu();
        using var blocks = new SurrogateHashGenerator(SurrogateHashGenerator.Blocks, fixture.Model, leaveSurrogateOpen: true);
        using var smooth = new SurrogateHashGenerator(SurrogateHashGenerator.Smooth, fixture.Model, leaveSurrogateOpen: true);
        blocks.Fit(features, seed: 3);
        smooth.Fit(features, seed: 3);
        using var input = rand(2, 3, 64, 64, generator: new TorchSharp.torch.Generator(4));

        using var noGrad = no_grad();
        using var code = blocks.Code(input);
        using var flat = blocks.call(input);
        using var soft = smooth.call(input);

        Assert.Equal(code.data<float>().ToArray(), smooth.Code(input).data<float>().ToArray());
        Assert.True(soft.abs().max().item<float>() <= 1f);
        // Near each cell's centre (pixel 8 of a 16-px cell) the smooth field has the cell's sign, as the blocks do.
        for (int cy = 0; cy < SurrogateHashGenerator.Grid; cy++)
        {
            for (int cx = 0; cx < SurrogateHashGenerator.Grid; cx++)
            {
                float sign = code[0, 1, cy, cx].item<float>();
                Assert.Equal(sign, flat[0, 1, cy * 16 + 8, cx * 16 + 8].item<float>());
                Assert.Equal(Math.Sign(sign), Math.Sign(soft[0, 1, cy * 16 + 8, cx * 16 + 8].item<float>()));
            }
        }
        // Blocks jump by 2 between cells of opposite sign; the smooth field moves by at most 2 / 16 per pixel.
        Assert.Equal(2f, (flat[.., .., .., 1..] - flat[.., .., .., ..^1]).abs().max().item<float>());
        Assert.True((soft[.., .., .., 1..] - soft[.., .., .., ..^1]).abs().max().item<float>() <= 2f / 16 + 1e-6f);
    }
}
