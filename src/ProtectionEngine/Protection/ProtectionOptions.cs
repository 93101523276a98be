using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>Per-image protection settings.</summary>
public sealed record ProtectionOptions
{
    public const int MinEpsilon = 1;
    public const int MaxEpsilon = 32;

    /// <summary>The budget for a model whose card claims nothing: the common budget of the unlearnable-examples papers.</summary>
    public const int FallbackEpsilon = 8;

    /// <summary>
    /// L-infinity budget in 8-bit levels: no channel of any pixel moves by more than this. 8 means 8/255. Null: the
    /// model's default (<see cref="DefaultEpsilon"/>).
    /// </summary>
    public int? Epsilon { get; init; }

    public OutputFormat Format { get; init; } = OutputFormat.Keep;

    /// <summary>
    /// The owner's key. An owner-keyed model needs it (<see cref="OwnerKeyRequiredException"/> without); other models
    /// ignore it, and their reports say no key was used.
    /// </summary>
    public OwnerKey? Owner { get; init; }

    /// <summary>
    /// The budget an image gets when nobody chose one: the epsilon the card's claim was measured at, so that a default
    /// upload gets the protection the card states; <see cref="FallbackEpsilon"/> for a card that claims nothing.
    /// </summary>
    public static int DefaultEpsilon(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        return card.Trained && card.Claim is { } claim ? claim.Epsilon : FallbackEpsilon;
    }

    /// <summary>
    /// The one range check for a budget, wherever it comes from (options, a request, configuration, a command line);
    /// unset is valid and means the model's default.
    /// </summary>
    public static bool IsValidEpsilon(int? epsilon) => epsilon is null or (>= MinEpsilon and <= MaxEpsilon);

    /// <summary>What a caller says of an out-of-range budget, naming it as its user knows it.</summary>
    public static string EpsilonRangeMessage(string name) => $"{name} must be between {MinEpsilon} and {MaxEpsilon}.";

    /// <summary>The budget for an image perturbed by the model of <paramref name="card"/>.</summary>
    public int EpsilonFor(ModelCard card) => EpsilonFor(Epsilon, card);

    /// <summary>
    /// The budget <paramref name="requested"/> stands for with the model of <paramref name="card"/>: itself, or unset
    /// the model's default. Everything that reports a budget before an image is protected resolves it here.
    /// </summary>
    public static int EpsilonFor(int? requested, ModelCard card) => requested ?? DefaultEpsilon(card);

    public void Validate()
    {
        if (!IsValidEpsilon(Epsilon))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, EpsilonRangeMessage(nameof(Epsilon)));
        if (!Enum.IsDefined(Format))
            throw new ArgumentOutOfRangeException(nameof(Format), Format, "Unknown output format.");
    }
}
