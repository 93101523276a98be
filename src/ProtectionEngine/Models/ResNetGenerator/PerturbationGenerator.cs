using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Models.ResNetGenerator;

/// <summary>
/// Fully convolutional ResNet-style encoder/decoder. Input: RGB in [0, 1], shape [N, 3, H, W] with H and W multiples
/// of 4. Output: tanh(G(x)) in (-1, 1), the same shape; the caller scales it by epsilon.
/// </summary>
public sealed class PerturbationGenerator : GeneratorModule
{
    private readonly Module<Tensor, Tensor> encoder;
    private readonly Module<Tensor, Tensor> residuals;
    private readonly Module<Tensor, Tensor> decoder;

    public PerturbationGenerator(GeneratorArchitecture architecture) : base(nameof(PerturbationGenerator))
    {
        if (architecture.Name != ResNetGeneratorFamily.Instance.Name)
            throw new NotSupportedException($"Unknown generator architecture '{architecture.Name}'.");
        if (architecture.BaseChannels is < 1 or > 512 || architecture.ResidualBlocks is < 0 or > 64)
            throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Architecture out of range.");

        Architecture = architecture;
        long c = architecture.BaseChannels;
        encoder = Sequential(
            Conv2d(3, c, 7, padding: 3, padding_mode: PaddingModes.Reflect, bias: false),
            InstanceNorm2d(c, affine: true),
            ReLU(inplace: true),
            Conv2d(c, 2 * c, 3, stride: 2, padding: 1, bias: false),
            InstanceNorm2d(2 * c, affine: true),
            ReLU(inplace: true),
            Conv2d(2 * c, 4 * c, 3, stride: 2, padding: 1, bias: false),
            InstanceNorm2d(4 * c, affine: true),
            ReLU(inplace: true));
        residuals = Sequential(Enumerable.Range(0, architecture.ResidualBlocks)
            .Select(i => (Module<Tensor, Tensor>)new ResidualBlock($"block{i}", 4 * c)).ToArray());
        decoder = Sequential(
            Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest),
            Conv2d(4 * c, 2 * c, 3, padding: 1, padding_mode: PaddingModes.Reflect, bias: false),
            InstanceNorm2d(2 * c, affine: true),
            ReLU(inplace: true),
            Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest),
            Conv2d(2 * c, c, 3, padding: 1, padding_mode: PaddingModes.Reflect, bias: false),
            InstanceNorm2d(c, affine: true),
            ReLU(inplace: true),
            Conv2d(c, 3, 7, padding: 3, padding_mode: PaddingModes.Reflect));
        RegisterComponents();
    }

    public override GeneratorArchitecture Architecture { get; }

    public override long ParameterCount => parameters().Sum(p => p.numel());

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input * 2 - 1;
        x = encoder.call(x);
        x = residuals.call(x);
        x = decoder.call(x);
        return x.tanh().MoveToOuterDisposeScope();
    }
}
