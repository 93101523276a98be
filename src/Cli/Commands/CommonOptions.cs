using System.CommandLine;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<DirectoryInfo> ModelsPath() => new("--models")
    {
        Description = "Model registry folder.",
        DefaultValueFactory = _ => new DirectoryInfo(EngineOptions.DefaultModelsPath),
    };

    /// <summary>
    /// <c>--epsilon</c>: unset means the model's own budget, the epsilon its card's claim was measured at (8 for a model
    /// that claims nothing); out of range is a usage error.
    /// </summary>
    public static Option<int?> Epsilon(string description)
    {
        var option = new Option<int?>("--epsilon", "-e")
        {
            Description = $"{description} ({ProtectionOptions.MinEpsilon}-{ProtectionOptions.MaxEpsilon}; default: the model's claimed epsilon, or {ProtectionOptions.FallbackEpsilon}).",
        };
        option.Validators.Add(r =>
        {
            if (!ProtectionOptions.IsValidEpsilon(r.GetValueOrDefault<int?>()))
                r.AddError(ProtectionOptions.EpsilonRangeMessage("--epsilon"));
        });
        return option;
    }

    /// <summary>The items of comma-separated option values (an option may also be repeated), trimmed, empty ones dropped.</summary>
    public static string[] CommaList(params IEnumerable<string>? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    public static Option<string> Device() => new("--device")
    {
        Description = "Where the generator runs: auto, cpu or cuda.",
        DefaultValueFactory = _ => "auto",
    };
}
