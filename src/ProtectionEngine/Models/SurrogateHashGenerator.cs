using TorchSharp;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// A label-agnostic protector conditioned on what the ImageNet ResNet-18 surrogate sees in a photo: the signs of random
/// projections of its centred features (a SimHash) choose +1 or -1 for each channel of each cell of a coarse grid over
/// the photo. Photos the surrogate sees as alike get alike patterns, so an attacker's classifier can read its classes
/// off the pattern more easily than off the content, which is the shortcut that makes the photos unlearnable
/// (docs/evaluation.md). The grid is coarse on purpose: its cells stay larger than the shifts of a victim's random crops
/// and survive the scraper's downscaling and JPEG.
/// </summary>
/// <remarks>
/// The saved state is the feature mean (fitted on reference photos, no labels) and the projection directions. The
/// surrogate itself is not part of it: it is read from its NuGet package's ONNX file, as for training, and is moved to
/// the input's device on first use.
/// </remarks>
public sealed class SurrogateHashGenerator : GeneratorModule
{
    /// <summary>Cells per side of the grid; one sign per channel and cell.</summary>
    public const int Grid = 4;

    public const int Bits = 3 * Grid * Grid;

    /// <summary>The surrogate's view of the working canvas (a multiple of 32, as the clustering sees photos).</summary>
    public const int SurrogateSize = 128;

    public static GeneratorArchitecture Blocks { get; } = new(GeneratorArchitecture.SurrogateHash, 0, 0);

    public static GeneratorArchitecture Smooth { get; } = new(GeneratorArchitecture.SurrogateHashSmooth, 0, 0);

    private readonly Tensor mean;
    private readonly Tensor directions;
    private readonly ResNet18Surrogate surrogate;
    private readonly bool leaveSurrogateOpen;
    private DeviceType surrogateDevice;

    /// <param name="architecture"><see cref="Blocks"/> or <see cref="Smooth"/>.</param>
    /// <param name="surrogate">The pretrained surrogate (<see cref="ResNet18Surrogate.LoadPretrained"/>).</param>
    /// <param name="leaveSurrogateOpen">False: disposing this module disposes the surrogate.</param>
    public SurrogateHashGenerator(GeneratorArchitecture architecture, ResNet18Surrogate surrogate, bool leaveSurrogateOpen = false) : base(nameof(SurrogateHashGenerator))
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(surrogate);
        if (!architecture.IsSurrogateHash)
            throw new NotSupportedException($"'{architecture.Name}' is not a surrogate hash.");
        Architecture = architecture;
        this.leaveSurrogateOpen = leaveSurrogateOpen;
        mean = zeros(ResNet18Surrogate.FeatureCount);
        directions = zeros(Bits, ResNet18Surrogate.FeatureCount);
        RegisterComponents();
        // Assigned after registration so that the surrogate's 11 M weights stay out of this module's saved state.
        this.surrogate = surrogate;
        surrogateDevice = surrogate.parameters().First().device.type;
    }

    public override GeneratorArchitecture Architecture { get; }

    public override long ParameterCount => mean.numel() + directions.numel();

    /// <summary>
    /// Sets the state: the mean of the surrogate's features over <paramref name="features"/> ([N, 512], reference photos)
    /// and <see cref="Bits"/> Gaussian directions drawn from <paramref name="seed"/>.
    /// </summary>
    public void Fit(Tensor features, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.ndim != 2 || features.shape[1] != ResNet18Surrogate.FeatureCount || features.shape[0] < 2)
            throw new ArgumentException($"Fitting needs the features of at least two photos, [N, {ResNet18Surrogate.FeatureCount}].", nameof(features));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        mean.copy_(features.to(float32).mean([0]));
        using var random = new Generator(unchecked((ulong)seed));
        directions.copy_(randn([Bits, ResNet18Surrogate.FeatureCount], generator: random));
    }

    /// <summary>Each photo's code: +1 or -1 per channel and grid cell, [N, 3, Grid, Grid].</summary>
    public Tensor Code(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        if (surrogateDevice != input.device.type)
        {
            surrogate.to(input.device);
            surrogateDevice = input.device.type;
        }
        var features = surrogate.call(SurrogateFeatures.Input(input, SurrogateSize));
        return Signs(features, mean, directions).view(input.shape[0], 3, Grid, Grid).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The hash itself: +1 where a photo's centred features ([N, D], minus <paramref name="mean"/>) project onto a row of
    /// <paramref name="directions"/> ([B, D]) at or above zero, -1 elsewhere; [N, B].
    /// </summary>
    public static Tensor Signs(Tensor features, Tensor mean, Tensor directions)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(directions);
        using var scope = NewDisposeScope();
        var projections = (features - mean).matmul(directions.t());
        var positive = ones_like(projections);
        return where(projections.ge(zeros_like(projections)), positive, positive.neg()).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var code = Code(input);
        long[] size = [input.shape[2], input.shape[3]];
        return (Architecture.Name == GeneratorArchitecture.SurrogateHashSmooth
            ? functional.interpolate(code, size, mode: InterpolationMode.Bilinear, align_corners: false)
            : functional.interpolate(code, size, mode: InterpolationMode.Nearest)).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveSurrogateOpen)
            surrogate.Dispose();
        base.Dispose(disposing);
    }
}
