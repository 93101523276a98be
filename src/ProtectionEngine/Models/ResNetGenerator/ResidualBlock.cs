using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Models.ResNetGenerator;

/// <summary>Two 3x3 convolutions with instance normalisation and an identity shortcut.</summary>
internal sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;

    public ResidualBlock(string name, long channels) : base(name)
    {
        body = Sequential(
            Conv2d(channels, channels, 3, padding: 1, padding_mode: PaddingModes.Reflect, bias: false),
            InstanceNorm2d(channels, affine: true),
            ReLU(inplace: true),
            Conv2d(channels, channels, 3, padding: 1, padding_mode: PaddingModes.Reflect, bias: false),
            InstanceNorm2d(channels, affine: true));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => input + body.call(input);
}
