using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>
/// ResNet basic block: two 3x3 convolutions with batch norm; a 1x1 projection shortcut where the shape changes (the
/// paper's option B; option A's zero padding has no parameters but needs a custom op for little difference).
/// </summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;
    private readonly Module<Tensor, Tensor>? shortcut;

    public BasicBlock(string name, long inChannels, long outChannels, long stride) : base(name)
    {
        body = Sequential(
            Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false),
            BatchNorm2d(outChannels),
            ReLU(inplace: true),
            Conv2d(outChannels, outChannels, 3, padding: 1, bias: false),
            BatchNorm2d(outChannels));
        if (stride != 1 || inChannels != outChannels)
            shortcut = Sequential(Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), BatchNorm2d(outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var identity = shortcut is null ? input : shortcut.call(input);
        return functional.relu(body.call(input) + identity).MoveToOuterDisposeScope();
    }
}
