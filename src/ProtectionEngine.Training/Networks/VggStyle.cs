using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>
/// A VGG-style plain network: four stages of two 3x3 convolution + batch norm + ReLU layers (32, 64, 128, 256
/// channels), each followed by 2x2 max pooling, then global average pooling and a linear classifier; about 1.2 M
/// parameters. Half the width of VGG-11's first stages, so that a CPU epoch costs about as much as ResNet-20's; what it
/// represents is the family (no shortcuts, pooling between stages), not VGG's size.
/// </summary>
internal sealed class VggStyle : Module<Tensor, Tensor>
{
    private static readonly long[] StageChannels = [32, 64, 128, 256];

    private readonly Module<Tensor, Tensor> features;
    private readonly Module<Tensor, Tensor> classifier;

    public VggStyle(int classes) : base(nameof(VggStyle))
    {
        var layers = new List<Module<Tensor, Tensor>>();
        long inChannels = 3;
        foreach (long channels in StageChannels)
        {
            for (int layer = 0; layer < 2; layer++)
            {
                layers.Add(Conv2d(inChannels, channels, 3, padding: 1, bias: false));
                layers.Add(BatchNorm2d(channels));
                layers.Add(ReLU(inplace: true));
                inChannels = channels;
            }
            layers.Add(MaxPool2d(2));
        }
        layers.Add(AdaptiveAvgPool2d(1));
        layers.Add(Flatten());
        features = Sequential(layers);
        classifier = Linear(StageChannels[^1], classes);
        RegisterComponents();
        VictimInitialisation.Apply(this);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return classifier.call(features.call(input)).MoveToOuterDisposeScope();
    }
}
