using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>
/// MobileNetV2 (Sandler et al. 2018) laid out for small images: the stem keeps stride 1 (at the paper's stride 2, a
/// 32-px image would be 1 px before the last stage), so the network downsamples 16x instead of 32x (32 px ends at
/// 2x2); the paper's expansion factors, block counts and other strides, at width multiplier 0.5 (channels rounded to
/// multiples of 8) with a 640-channel head. About 0.6 M parameters. Half width and the early stride keep a CPU epoch
/// within about twice ResNet-20's (libtorch's depthwise convolutions are slow on CPU). What it represents is the
/// family (depthwise separable inverted residuals, linear bottlenecks, ReLU6), not MobileNetV2's ImageNet size.
/// </summary>
internal sealed class MobileNetV2Style : Module<Tensor, Tensor>
{
    /// <summary>(expansion t, output channels c at width 1, repeats n, first stride s): the paper's table.</summary>
    private static readonly (long T, long C, int N, long S)[] Stages =
    [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ];

    private const double Width = 0.5;
    private const long HeadChannels = 640;

    private readonly Module<Tensor, Tensor> features;
    private readonly Module<Tensor, Tensor> classifier;

    public MobileNetV2Style(int classes) : base(nameof(MobileNetV2Style))
    {
        long stem = Scaled(32);
        var layers = new List<Module<Tensor, Tensor>>
        {
            Conv2d(3, stem, 3, padding: 1, bias: false),
            BatchNorm2d(stem),
            ReLU6(inplace: true),
        };
        long inChannels = stem;
        int index = 0;
        foreach (var (t, c, n, s) in Stages)
        {
            long outChannels = Scaled(c);
            for (int i = 0; i < n; i++)
            {
                layers.Add(new InvertedResidual($"block{index++}", inChannels, outChannels, i == 0 ? s : 1, t));
                inChannels = outChannels;
            }
        }
        layers.Add(Conv2d(inChannels, HeadChannels, 1, bias: false));
        layers.Add(BatchNorm2d(HeadChannels));
        layers.Add(ReLU6(inplace: true));
        layers.Add(AdaptiveAvgPool2d(1));
        layers.Add(Flatten());
        features = Sequential(layers);
        classifier = Linear(HeadChannels, classes);
        RegisterComponents();
        VictimInitialisation.Apply(this);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return classifier.call(features.call(input)).MoveToOuterDisposeScope();
    }

    /// <summary>Channels at the width multiplier, rounded to a multiple of 8 and never below 8 (MobileNet's rule).</summary>
    private static long Scaled(long channels) => Math.Max(8, (long)Math.Round(channels * Width / 8, MidpointRounding.AwayFromZero) * 8);
}
