using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>
/// MobileNetV2's block: 1x1 expansion (skipped when the factor is 1), 3x3 depthwise convolution, 1x1 linear projection,
/// each with batch norm (ReLU6 after the first two only); a residual connection when shape is unchanged.
/// </summary>
internal sealed class InvertedResidual : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;
    private readonly bool residual;

    public InvertedResidual(string name, long inChannels, long outChannels, long stride, long expansion) : base(name)
    {
        long hidden = inChannels * expansion;
        var layers = new List<Module<Tensor, Tensor>>();
        if (expansion != 1)
        {
            layers.Add(Conv2d(inChannels, hidden, 1, bias: false));
            layers.Add(BatchNorm2d(hidden));
            layers.Add(ReLU6(inplace: true));
        }
        layers.Add(Conv2d(hidden, hidden, 3, stride: stride, padding: 1, groups: hidden, bias: false));
        layers.Add(BatchNorm2d(hidden));
        layers.Add(ReLU6(inplace: true));
        layers.Add(Conv2d(hidden, outChannels, 1, bias: false));
        layers.Add(BatchNorm2d(outChannels));
        body = Sequential(layers);
        residual = stride == 1 && inChannels == outChannels;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = body.call(input);
        return (residual ? output + input : output).MoveToOuterDisposeScope();
    }
}
