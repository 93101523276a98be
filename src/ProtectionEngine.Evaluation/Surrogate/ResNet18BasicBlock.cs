using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>
/// CNTK's ResNet basic block: two 3x3 conv+BN ("a", "b"), a 1x1 stride-2 conv+BN projection shortcut at stage entries
/// ("downsample"), ReLU after the sum. The child names are the layer map's.
/// </summary>
internal sealed class ResNet18BasicBlock : Module<Tensor, Tensor>
{
    private static readonly long[] SamePads = [1, 1, 1, 1];
    private static readonly long[] StridedPads = [1, 1, 0, 0];
    private static readonly long[] NoPads = [0, 0, 0, 0];

    private readonly PaddedConvBatchNorm a;
    private readonly PaddedConvBatchNorm b;
    private readonly PaddedConvBatchNorm? downsample;

    public ResNet18BasicBlock(string name, long inChannels, long outChannels, long stride) : base(name)
    {
        a = new PaddedConvBatchNorm(nameof(a), inChannels, outChannels, 3, stride, stride == 1 ? SamePads : StridedPads);
        b = new PaddedConvBatchNorm(nameof(b), outChannels, outChannels, 3, 1, SamePads);
        if (stride != 1 || inChannels != outChannels)
            downsample = new PaddedConvBatchNorm(nameof(downsample), inChannels, outChannels, 1, stride, NoPads);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var residual = b.call(a.call(input).relu_());
        var shortcut = downsample is null ? input : downsample.call(input);
        return (residual + shortcut).relu_().MoveToOuterDisposeScope();
    }
}
