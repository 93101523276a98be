using System.Text.Json;
using System.Text.Json.Serialization;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// The gate's verdict as the worker reported it: whether the candidate may replace the active version and why not,
/// which the gateway acts on, and the two versions' measurements, which it keeps as they came (docs/admin.md, "The gate").
/// </summary>
public sealed record GateVerdict
{
    public bool Passed { get; init; }

    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The rest of the worker's verdict (<c>candidate</c>, <c>active</c>), written back beside the fields above.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Measurements { get; init; }
}
