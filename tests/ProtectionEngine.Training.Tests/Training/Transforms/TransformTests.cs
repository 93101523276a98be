using UploadGuard.ProtectionEngine.Training.Transforms;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Training.Transforms;

public sealed class TransformTests
{
    public static TheoryData<string> Transforms =>
        ["flip", "rescale", "rescale-tiny", "blur", "gray", "jpeg", "jpeg-cubic", "jpeg-444"];

    [Theory]
    [MemberData(nameof(Transforms))]
    public void Keeps_shape_and_range_and_passes_gradients(string name)
    {
        using var scope = NewDisposeScope();
        // 36 x 44: not a multiple of 8 or 16, so JPEG padding and cropping are exercised too.
        var x = rand(3, 3, 36, 44, generator: new TorchSharp.torch.Generator(11)).requires_grad_(true);

        var y = Apply(name, x);

        Assert.Equal(x.shape, y.shape);
        Assert.True(y.min().item<float>() >= 0f, $"{name}: min {y.min().item<float>()}");
        Assert.True(y.max().item<float>() <= 1f, $"{name}: max {y.max().item<float>()}");

        // A random projection, so that no transform's gradient can cancel out in a plain sum.
        var weights = randn(y.shape, generator: new TorchSharp.torch.Generator(12));
        (y * weights).sum().backward();
        var grad = x.grad;
        Assert.NotNull(grad);
        Assert.True(grad.isfinite().all().item<bool>(), $"{name}: non-finite gradient");
        Assert.True(grad.abs().sum().item<float>() > 0, $"{name}: zero gradient");
    }

    [Fact]
    public void Flip_and_grayscale_touch_only_the_masked_images()
    {
        using var scope = NewDisposeScope();
        var x = rand(2, 3, 8, 8, generator: new TorchSharp.torch.Generator(1));
        var mask = tensor(new[] { true, false });

        var flipped = HorizontalFlip.Apply(x, mask);
        var gray = Grayscale.Apply(x, mask);

        Assert.True(flipped[0].eq(x[0].flip(2)).all().item<bool>());
        Assert.True(flipped[1].eq(x[1]).all().item<bool>());
        Assert.True(gray[0][0].eq(gray[0][1]).all().item<bool>());
        Assert.True(gray[1].eq(x[1]).all().item<bool>());
    }

    [Fact]
    public void Blur_preserves_a_flat_image()
    {
        using var scope = NewDisposeScope();
        var flat = full(1, 3, 16, 16, 0.4f);
        Assert.True(allclose(GaussianBlur.Apply(flat, 1.0), flat, atol: 1e-6));
    }

    [Fact]
    public void Straight_through_rounding_is_exact_forward_and_identity_backward()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.2f, 1.7f, -2.6f }).requires_grad_(true);
        var y = DifferentiableRounding.Round(x, JpegRounding.StraightThrough);
        Assert.Equal([0f, 2f, -3f], y.data<float>().ToArray());
        y.sum().backward();
        Assert.Equal([1f, 1f, 1f], x.grad!.data<float>().ToArray());
    }

    private static Tensor Apply(string name, Tensor x) => name switch
    {
        "flip" => HorizontalFlip.Apply(x, tensor(new[] { true, false, true })),
        "rescale" => Rescale.Apply(x, 0.5),
        "rescale-tiny" => Rescale.Apply(x, 0.05),
        "blur" => GaussianBlur.Apply(x, 0.8),
        "gray" => Grayscale.Apply(x, tensor(new[] { true, true, false })),
        "jpeg" => DifferentiableJpeg.Apply(x, 50),
        "jpeg-cubic" => DifferentiableJpeg.Apply(x, 75, JpegRounding.Cubic),
        "jpeg-444" => DifferentiableJpeg.Apply(x, 90, subsampleChroma: false),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
