using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>Per-image protection settings.</summary>
public sealed record ProtectionOptions
{
    public const int MinEpsilon = 1;
    public const int MaxEpsilon = 32;

    /// <summary>L-infinity budget in 8-bit levels: no channel of any pixel moves by more than this. 8 means 8/255.</summary>
    public int Epsilon { get; init; } = 8;

    public OutputFormat Format { get; init; } = OutputFormat.Keep;

    /// <summary>
    /// The owner's key. An owner-keyed model needs it (<see cref="OwnerKeyRequiredException"/> without); other models
    /// ignore it, and their reports say no key was used.
    /// </summary>
    public OwnerKey? Owner { get; init; }

    public void Validate()
    {
        if (Epsilon is < MinEpsilon or > MaxEpsilon)
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, $"Epsilon must be between {MinEpsilon} and {MaxEpsilon} levels.");
        if (!Enum.IsDefined(Format))
            throw new ArgumentOutOfRangeException(nameof(Format), Format, "Unknown output format.");
    }
}
