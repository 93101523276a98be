using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>
/// The ImageNet-pretrained ResNet-18 of NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 (a CNTK export), ported
/// to TorchSharp so that a perturbation generator can be trained against it: weights are frozen, gradients reach the
/// input. Input: RGB in 0..255, [N, 3, H, W]; output: the 512 pooled features, [N, 512], which at 224x224 equal the ONNX
/// model's Pooling395_Output_0 (after its own preprocessing model). Height and width: multiples of 32 (<see cref="SizeMultiple"/>).
/// </summary>
/// <remarks>
/// The module always stays in evaluation mode, even when <see cref="train"/> is called (for instance by a parent
/// module): in training mode batch normalisation would use batch statistics, changing the function being attacked, and
/// would overwrite the ImageNet running statistics.
/// </remarks>
public sealed class ResNet18Surrogate : Module<Tensor, Tensor>
{
    public const int FeatureCount = 512;

    /// <summary>The size the network and its mean image were made for.</summary>
    public const int NativeSize = 224;

    /// <summary>Five halvings bring 32 pixels down to one; smaller inputs have no spatial extent left.</summary>
    public const int MinimumSize = 32;

    /// <summary>
    /// Height and width must be multiples of this. The stride-2 blocks pad only top and left, so on an odd-sized map their
    /// two branches come out one pixel apart and libtorch fails inside the addition; 32 keeps every stage's map even.
    /// (A few other sizes, such as 32k + 1, happen to line up; they are refused too, for a rule one can state.)
    /// </summary>
    public const int SizeMultiple = 32;

    private const string MeanImageInitializer = "MeanImage";
    private const string MeanImageBuffer = nameof(meanImage);

    private readonly PaddedConvBatchNorm stem;
    private readonly MaxPool2d maxpool;
    private readonly ModuleList<ResNet18BasicBlock> layer1;
    private readonly ModuleList<ResNet18BasicBlock> layer2;
    private readonly ModuleList<ResNet18BasicBlock> layer3;
    private readonly ModuleList<ResNet18BasicBlock> layer4;

    // Per-pixel BGR mean of the training images, [1, 3, 224, 224]; a buffer so that it follows the module to a device.
    private readonly Tensor meanImage;

    /// <summary>The architecture with untrained weights and a zero mean image; <see cref="LoadPretrained"/> fills them.</summary>
    public ResNet18Surrogate() : base(nameof(ResNet18Surrogate))
    {
        stem = new PaddedConvBatchNorm(nameof(stem), 3, 64, 7, 2, [3, 3, 2, 2]);
        maxpool = MaxPool2d(3, stride: 2);
        // CNTK's ResNet-18 has blocks 2, 2, 2, 3 per stage (the layer map lists layer4.2); stage entries halve.
        layer1 = Stage(64, 64, 2);
        layer2 = Stage(64, 128, 2);
        layer3 = Stage(128, 256, 2);
        layer4 = Stage(256, 512, 3);
        meanImage = zeros(1, 3, NativeSize, NativeSize);
        RegisterComponents();
    }

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// Builds the network and fills it from the package's ONNX files (see <see cref="ResNet18OnnxFiles.Locate"/>), frozen
    /// and in evaluation mode.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="OnnxFormatException">A file is damaged or is not the expected model.</exception>
    public static ResNet18Surrogate LoadPretrained(string? onnxPath = null, string? preprocessOnnxPath = null)
    {
        var files = ResNet18OnnxFiles.Locate(onnxPath, preprocessOnnxPath);
        var network = OnnxInitializerReader.Read(files.Model);
        var preprocess = OnnxInitializerReader.Read(files.Preprocess);
        if (!preprocess.TryGetValue(MeanImageInitializer, out var mean))
            throw new OnnxFormatException($"'{files.Preprocess}' has no '{MeanImageInitializer}' initializer.");

        var model = new ResNet18Surrogate();
        try
        {
            model.LoadWeights(network, mean, files.Model);
            foreach (var parameter in model.parameters())
                parameter.requires_grad = false;
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public override void train(bool train = true) => base.train(false);

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != 3)
            throw new ArgumentException($"Expected RGB images [N, 3, H, W], got [{string.Join(", ", input.shape)}].", nameof(input));
        long height = input.shape[2], width = input.shape[3];
        if (height < MinimumSize || width < MinimumSize)
            throw new ArgumentException($"Images must be at least {MinimumSize}x{MinimumSize}, got {width}x{height}.", nameof(input));
        if (height % SizeMultiple != 0 || width % SizeMultiple != 0)
        {
            throw new ArgumentException(
                $"Image sides must be multiples of {SizeMultiple} pixels, got {width}x{height}; resize or pad to, e.g., "
                + $"{RoundUp(width)}x{RoundUp(height)} first.", nameof(input));
        }

        using var scope = NewDisposeScope();
        // The preprocessing model: RGB to BGR (CNTK trained on OpenCV's channel order), minus the mean image.
        var x = input.flip(1) - MeanImageFor(height, width);
        x = stem.call(x).relu_();
        // The graph's max-pool pads one row and column at the top and left only; -inf makes them never win.
        x = maxpool.call(functional.pad(x, [1, 0, 1, 0], value: double.NegativeInfinity));
        foreach (var stage in new[] { layer1, layer2, layer3, layer4 })
        {
            foreach (var block in stage)
                x = block.call(x);
        }
        // The graph ends in a 7x7 average pool over the 7x7 map of a 224 input; a global mean is that, for any size.
        return x.mean([2, 3]).MoveToOuterDisposeScope();
    }

    private static long RoundUp(long side) => (side + SizeMultiple - 1) / SizeMultiple * SizeMultiple;

    private Tensor MeanImageFor(long height, long width)
    {
        if (height == NativeSize && width == NativeSize)
            return meanImage;
        // The mean image varies smoothly (brighter, bluer top); resampling keeps it aligned with the field of view.
        return functional.interpolate(meanImage, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    private void LoadWeights(IReadOnlyDictionary<string, OnnxTensor> network, OnnxTensor mean, string source)
    {
        var targets = named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(named_buffers())
            .ToDictionary(t => t.Item1, t => t.Item2, StringComparer.Ordinal);
        var convs = named_modules().Where(m => m.module is PaddedConvBatchNorm)
            .ToDictionary(m => m.name, m => (PaddedConvBatchNorm)m.module, StringComparer.Ordinal);
        var filled = new HashSet<string>(StringComparer.Ordinal);

        foreach (var entry in ResNet18LayerMap.Entries)
        {
            if (!network.TryGetValue(entry.OnnxName, out var initializer))
                throw new OnnxFormatException($"'{source}' has no initializer '{entry.OnnxName}' ({entry.StateName}); it is not the expected ResNet-18.");
            if (!initializer.Dims.SequenceEqual(entry.Shape))
                throw new OnnxFormatException($"'{source}': initializer '{entry.OnnxName}' ({entry.StateName}) is {initializer.ShapeText}, expected [{string.Join(", ", entry.Shape)}].");
            if (!targets.TryGetValue(entry.StateName, out var target) || !target.shape.SequenceEqual(entry.Shape))
                throw new InvalidOperationException($"The layer map's '{entry.StateName}' has no counterpart of shape [{string.Join(", ", entry.Shape)}] in {nameof(ResNet18Surrogate)}.");
            CheckConvolutionGeometry(entry, convs);
            Copy(initializer, target);
            filled.Add(entry.StateName);
        }

        if (network.Count != ResNet18LayerMap.Entries.Count)
        {
            var extra = network.Keys.Except(ResNet18LayerMap.Entries.Select(e => e.OnnxName), StringComparer.Ordinal).Take(5);
            throw new OnnxFormatException($"'{source}' has initializers the layer map does not know ({string.Join(", ", extra)}); it is not the expected ResNet-18.");
        }

        if (!mean.Dims.SequenceEqual(meanImage.shape))
            throw new OnnxFormatException($"The mean image is {mean.ShapeText}, expected [{string.Join(", ", meanImage.shape)}].");
        Copy(mean, meanImage);
        filled.Add(MeanImageBuffer);

        // Only the batch counters of batch normalisation are left alone: unused in evaluation mode.
        var unfilled = targets.Keys.Where(k => !filled.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        if (unfilled.Count > 0)
            throw new InvalidOperationException($"The layer map leaves {string.Join(", ", unfilled)} of {nameof(ResNet18Surrogate)} unfilled.");
    }

    private static void CheckConvolutionGeometry(LayerMapEntry entry, Dictionary<string, PaddedConvBatchNorm> convs)
    {
        if (entry.Stride is null && entry.Pads is null)
            return;
        const string suffix = ".conv.weight";
        string owner = entry.StateName.EndsWith(suffix, StringComparison.Ordinal) ? entry.StateName[..^suffix.Length] : entry.StateName;
        if (!convs.TryGetValue(owner, out var conv)
            || entry.Stride is null || entry.Stride.Any(s => s != conv.Stride)
            || entry.Pads is null || !entry.Pads.SequenceEqual(conv.OnnxPads))
        {
            throw new InvalidOperationException(
                $"The layer map gives '{entry.StateName}' stride [{string.Join(", ", entry.Stride ?? [])}] and pads [{string.Join(", ", entry.Pads ?? [])}], "
                + $"which {nameof(ResNet18Surrogate)} does not build.");
        }
    }

    private static void Copy(OnnxTensor source, Tensor target)
    {
        using var values = tensor(source.Data, [.. source.Dims]);
        using (no_grad())
            target.copy_(values);
    }

    private static ModuleList<ResNet18BasicBlock> Stage(long inChannels, long outChannels, int blocks) =>
        new(Enumerable.Range(0, blocks)
            .Select(i => new ResNet18BasicBlock(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                i == 0 ? inChannels : outChannels, outChannels, i == 0 && inChannels != outChannels ? 2 : 1))
            .ToArray());
}
