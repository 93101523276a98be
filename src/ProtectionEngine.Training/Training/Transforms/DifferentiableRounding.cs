using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>Rounding to integers that gradients can pass through (plain rounding has a zero gradient almost everywhere).</summary>
internal static class DifferentiableRounding
{
    public static Tensor Round(Tensor x, JpegRounding rounding)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var rounded = x.detach().round();
        var result = rounding switch
        {
            JpegRounding.StraightThrough => x + (rounded - x).detach(),
            JpegRounding.Cubic => rounded + (x - rounded).pow(3),
            _ => throw new ArgumentOutOfRangeException(nameof(rounding), rounding, null),
        };
        return result.MoveToOuterDisposeScope();
    }
}
