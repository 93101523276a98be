using System.CommandLine;
using UploadGuard.ProtectionEngine.Hosting;

namespace UploadGuard.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<DirectoryInfo> ModelsPath() => new("--models")
    {
        Description = "Model registry folder.",
        DefaultValueFactory = _ => new DirectoryInfo(EngineOptions.DefaultModelsPath),
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "Where the generator runs: auto, cpu or cuda.",
        DefaultValueFactory = _ => "auto",
    };
}
