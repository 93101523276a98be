using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>
/// The CIFAR ResNet-20 of He et al. (2016): a 3x3 stem with 16 channels, three stages of three basic blocks (16, 32, 64
/// channels; the last two halve the resolution), global average pooling and a linear classifier. About 0.27 M
/// parameters. Any input size of 8 px or more works (64 px Imagenette included).
/// </summary>
public sealed class ResNet20 : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> features;
    private readonly Module<Tensor, Tensor> classifier;

    public ResNet20(int classes) : base(nameof(ResNet20))
    {
        var layers = new List<Module<Tensor, Tensor>>
        {
            Conv2d(3, 16, 3, padding: 1, bias: false),
            BatchNorm2d(16),
            ReLU(inplace: true),
        };
        long inChannels = 16;
        foreach (var (channels, stride) in new[] { (16L, 1L), (32L, 2L), (64L, 2L) })
        {
            for (int block = 0; block < 3; block++)
            {
                layers.Add(new BasicBlock($"block{channels}_{block}", inChannels, channels, block == 0 ? stride : 1));
                inChannels = channels;
            }
        }
        layers.Add(AdaptiveAvgPool2d(1));
        layers.Add(Flatten());
        features = Sequential(layers);
        classifier = Linear(64, classes);
        RegisterComponents();
        VictimInitialisation.Apply(this);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return classifier.call(features.call(input)).MoveToOuterDisposeScope();
    }
}
