namespace UploadGuard.ProtectionEngine.Training.Transforms;

/// <summary>How <see cref="DifferentiableJpeg"/> rounds quantised coefficients while keeping a usable gradient.</summary>
internal enum JpegRounding
{
    /// <summary>Exact rounding forward, identity gradient backward (x + (round(x) - x) detached).</summary>
    StraightThrough,

    /// <summary>round(x) + (x - round(x))^3 (Shin and Song, 2017): near-exact forward, a smooth gradient that vanishes at integers.</summary>
    Cubic,
}
