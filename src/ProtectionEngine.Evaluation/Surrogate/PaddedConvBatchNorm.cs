using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>
/// Convolution without bias followed by batch normalisation, padded the way the CNTK export pads: ONNX pads
/// [top, left, bottom, right] may be asymmetric (stride-2 layers pad only top and left), which a torch convolution cannot
/// express, so asymmetric padding is an explicit zero pad before an unpadded convolution.
/// </summary>
internal sealed class PaddedConvBatchNorm : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;
    private readonly long[]? explicitPad;

    public PaddedConvBatchNorm(string name, long inChannels, long outChannels, long kernelSize, long stride, IReadOnlyList<long> onnxPads)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(onnxPads);
        if (onnxPads.Count != 4 || onnxPads.Any(p => p < 0))
            throw new ArgumentException("ONNX pads are four non-negative values [top, left, bottom, right].", nameof(onnxPads));

        KernelSize = kernelSize;
        Stride = stride;
        OnnxPads = onnxPads.ToArray();
        long top = onnxPads[0], left = onnxPads[1], bottom = onnxPads[2], right = onnxPads[3];
        bool symmetric = top == bottom && left == right;
        // Symmetric padding stays inside the convolution: one fewer tensor per layer on the generator's training path.
        conv = Conv2d(inChannels, outChannels, (kernelSize, kernelSize), stride: (stride, stride),
            padding: symmetric ? (top, left) : (0, 0), bias: false);
        // CNTK's epsilon; its BatchNormalization nodes carry 1e-5 (as float32).
        bn = BatchNorm2d(outChannels, eps: 1e-5);
        explicitPad = symmetric ? null : [left, right, top, bottom];
        RegisterComponents();
    }

    public long KernelSize { get; }

    public long Stride { get; }

    /// <summary>The padding in ONNX order [top, left, bottom, right], checked against the layer map when loading.</summary>
    public IReadOnlyList<long> OnnxPads { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = explicitPad is null ? input : functional.pad(input, explicitPad);
        return bn.call(conv.call(x)).MoveToOuterDisposeScope();
    }
}
