using UploadGuard.ProtectionEngine.Surrogate;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

/// <summary>
/// Input sizes, checked on the architecture alone (no ONNX weights needed: the check comes before any layer runs).
/// Sizes that are not multiples of 32 used to fail deep inside libtorch, where a stride-2 block's two branches came out
/// one pixel apart; now they are refused with an <see cref="ArgumentException"/> that says what to send.
/// </summary>
public sealed class ResNet18SurrogateInputSizeTests
{
    [Theory]
    [InlineData(100, 100)]
    [InlineData(224, 200)]
    [InlineData(112, 112)]   // 32-pixel multiples matter, not 16: 112 fails at the last stage
    [InlineData(33, 64)]
    public void Sizes_that_are_not_multiples_of_32_are_refused_before_libtorch(int height, int width)
    {
        using var model = new ResNet18Surrogate();
        model.eval();
        using var input = zeros(1, 3, height, width);

        var refused = Assert.Throws<ArgumentException>(() => model.call(input));

        Assert.Equal("input", refused.ParamName);
        Assert.Contains($"multiples of {ResNet18Surrogate.SizeMultiple}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"{width}x{height}", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(32, 32)]
    [InlineData(96, 160)]
    [InlineData(128, 64)]
    public void Multiples_of_32_give_one_feature_vector_per_image(int height, int width)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = new ResNet18Surrogate();
        model.eval();

        var features = model.call(rand(2, 3, height, width) * 255);

        Assert.Equal([2L, ResNet18Surrogate.FeatureCount], features.shape);
        Assert.True(features.isfinite().all().item<bool>());
    }
}
