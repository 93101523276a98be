using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

public sealed class ResNet18SurrogateTests(SurrogateFixture fixture, ITestOutputHelper output) : IClassFixture<SurrogateFixture>
{
    // FINDINGS: an independent re-execution of the graph matched ONNX Runtime to 5e-7; 1e-4 leaves room for kernel order.
    private const double Tolerance = 1e-4;
    private const int Size = ResNet18Surrogate.NativeSize;

    [Theory]
    [InlineData("photo", 1)]
    [InlineData("photo", 2)]
    [InlineData("noise", 3)]
    [InlineData("flat", 0)]
    public void Features_match_onnx_runtime_on_synthetic_images(string kind, int seed) =>
        AssertMatchesReference(Synthetic(kind, seed), $"{kind} {seed}");

    [KodakFact]
    public void Features_match_onnx_runtime_on_a_kodak_photo()
    {
        using var image = Image.Load<Rgba32>(KodakPhotos.Photo(23));
        image.Mutate(x => x.Resize(new ResizeOptions { Size = new SixLabors.ImageSharp.Size(Size, Size), Mode = ResizeMode.Crop }));
        AssertMatchesReference(Chw(image), "kodak 23");
    }

    [Fact]
    public void A_batch_gives_the_features_of_its_images_one_by_one()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var a = Synthetic("photo", 5);
        var b = Synthetic("noise", 6);
        var batch = fixture.Model.call(cat([Input(a), Input(b)], 0));
        Assert.Equal([2L, ResNet18Surrogate.FeatureCount], batch.shape);
        Assert.True(allclose(batch[0], fixture.Model.call(Input(a))[0], rtol: 1e-5, atol: 1e-6));
        Assert.True(allclose(batch[1], fixture.Model.call(Input(b))[0], rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Gradients_reach_the_input_and_not_the_weights()
    {
        using var scope = NewDisposeScope();
        var x = cat([Input(Synthetic("photo", 7)), Input(Synthetic("noise", 8))], 0).requires_grad_(true);
        var features = fixture.Model.call(x);
        features.square().sum().backward();

        var grad = x.grad;
        Assert.NotNull(grad);
        Assert.True(grad.isfinite().all().item<bool>());
        for (int i = 0; i < 2; i++)
            Assert.True(grad[i].abs().max().item<float>() > 0, $"image {i} got a zero gradient");
        Assert.All(fixture.Model.parameters(), p =>
        {
            Assert.False(p.requires_grad);
            Assert.Null(p.grad);
        });
    }

    [Fact]
    public void Stays_frozen_in_evaluation_mode()
    {
        fixture.Model.train();
        Assert.False(fixture.Model.training);
        Assert.All(fixture.Model.modules(), m => Assert.False(m.training));
        // Conv weights and batch-norm scales and shifts; the running statistics are buffers.
        long expected = ResNet18LayerMap.Entries.Where(e => !e.StateName.Contains(".running_", StringComparison.Ordinal))
            .Sum(e => e.Shape.Aggregate(1L, (a, d) => a * d));
        Assert.Equal(expected, fixture.Model.ParameterCount);
    }

    [Fact]
    public void Other_sizes_give_finite_features_and_tiny_ones_are_refused()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = fixture.Model.call(rand(1, 3, 96, 160) * 255);
        Assert.Equal([1L, ResNet18Surrogate.FeatureCount], features.shape);
        Assert.True(features.isfinite().all().item<bool>());
        Assert.Throws<ArgumentException>(() => fixture.Model.call(rand(1, 3, 16, 64)));
        Assert.Throws<ArgumentException>(() => fixture.Model.call(rand(1, 4, 224, 224)));
    }

    [Fact]
    public void Reports_time_per_image()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = Input(Synthetic("photo", 9));
        fixture.Model.call(x);   // first call allocates and picks kernels
        const int runs = 5;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++)
            fixture.Model.call(x).Dispose();
        output.WriteLine($"forward, 1 image 224x224, CPU, {get_num_threads()} threads: {clock.Elapsed.TotalMilliseconds / runs:F1} ms");

        var grad = x.clone().requires_grad_(true);
        clock.Restart();
        using (enable_grad())
            fixture.Model.call(grad).sum().backward();
        output.WriteLine($"forward + backward to the input, 1 image: {clock.Elapsed.TotalMilliseconds:F1} ms");
    }

    private void AssertMatchesReference(float[] rgb, string label)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        float[] expected = fixture.Reference.Features(rgb);
        float[] actual = fixture.Model.call(Input(rgb)).data<float>().ToArray();
        Assert.Equal(ResNet18Surrogate.FeatureCount, expected.Length);
        Assert.Equal(expected.Length, actual.Length);

        double maxDiff = 0, maxRef = 0, diff2 = 0, ref2 = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(actual[i] - (double)expected[i]);
            maxDiff = Math.Max(maxDiff, d);
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            diff2 += d * d;
            ref2 += (double)expected[i] * expected[i];
        }
        double relative = maxDiff / maxRef;
        output.WriteLine($"{label}: max |port - ORT| / max |ORT| = {relative:E2}, L2 relative = {Math.Sqrt(diff2 / ref2):E2}, max |ORT| = {maxRef:F3}");
        Assert.True(maxRef > 0.1, "reference features are all near zero: the comparison would prove nothing");
        Assert.True(relative <= Tolerance, $"{label}: relative difference {relative:E2} exceeds {Tolerance:E0}");
    }

    private static Tensor Input(float[] rgb) => tensor(rgb, [1, 3, Size, Size]);

    private static float[] Synthetic(string kind, int seed)
    {
        if (kind == "photo")
        {
            using var image = TestImages.Photo(Size, Size, seed);
            return Chw(image);
        }
        var random = new Random(seed);
        var values = new float[3 * Size * Size];
        for (int i = 0; i < values.Length; i++)
            values[i] = kind == "noise" ? random.Next(256) : 128f;
        return values;
    }

    /// <summary>RGB 0..255 floats in CHW order, the layout both implementations take.</summary>
    private static float[] Chw(Image<Rgba32> image)
    {
        int plane = image.Width * image.Height;
        var values = new float[3 * plane];
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                var p = image[x, y];
                int i = y * image.Width + x;
                values[i] = p.R;
                values[plane + i] = p.G;
                values[2 * plane + i] = p.B;
            }
        }
        return values;
    }
}
