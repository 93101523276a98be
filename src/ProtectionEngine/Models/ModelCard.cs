using System.Text.Json;
using System.Text.Json.Serialization;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// What a generator version is, how it was made and what was measured about it. Stored as <c>model-card.json</c>
/// beside the weights; the SHA-256 recorded here is checked on every load.
/// </summary>
public sealed record ModelCard
{
    public const string FileName = "model-card.json";

    /// <summary>Shown wherever an untrained generator is used.</summary>
    public const string UntrainedWarning = "untrained model: no protection claimed";

    public required string Version { get; init; }

    /// <summary>False for placeholders: such a model perturbs images but protects nothing.</summary>
    public required bool Trained { get; init; }

    public required GeneratorArchitecture Architecture { get; init; }

    public required long Parameters { get; init; }

    /// <summary>Side length (pixels) of the square canvas the generator runs at.</summary>
    public required int WorkingSize { get; init; }

    /// <summary>The L-infinity budget, in 8-bit levels, the generator was trained for.</summary>
    public required int Epsilon { get; init; }

    public required ModelWeightsFile Weights { get; init; }

    public required string TrainingData { get; init; }

    public long TrainingSteps { get; init; }

    public DateTimeOffset Created { get; init; }

    /// <summary>Measured figures (accuracy drops, PSNR...) with the names used in docs/evaluation.md.</summary>
    public IReadOnlyDictionary<string, double> MeasuredResults { get; init; } = new Dictionary<string, double>();

    public string? Notes { get; init; }

    /// <summary>The protection this card claims, as measured; null (the default) claims none.</summary>
    public ProtectionClaim? Claim { get; init; }

    [JsonIgnore]
    public string? Warning => Trained ? null : UntrainedWarning;

    /// <summary>What this card claims for images perturbed at <paramref name="epsilon"/>; an untrained model claims nothing.</summary>
    public ClaimStatus ClaimAt(int epsilon) =>
        !Trained || Claim is null ? ClaimStatus.NoneClaimed
        : epsilon >= Claim.Epsilon ? ClaimStatus.Measured
        : ClaimStatus.BelowMeasuredEpsilon;

    /// <summary>One line on what the card claims, at any epsilon: "none claimed", or the measured claim with its scope.</summary>
    [JsonIgnore]
    public string ClaimedProtection => !Trained || Claim is null
        ? NoneClaimedText
        : $"measured at epsilon {Claim.Epsilon} or more: {Claim.Summary} Scope: {Claim.Scope}";

    public const string NoneClaimedText = "none claimed";

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
