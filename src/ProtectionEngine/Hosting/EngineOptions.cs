namespace UploadGuard.ProtectionEngine.Hosting;

/// <summary>Where models come from and where they run.</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>The model registry folder; by default the <c>models</c> folder shipped beside the application.</summary>
    public string ModelsPath { get; set; } = DefaultModelsPath;

    /// <summary>A version to use instead of the registry's active one.</summary>
    public string? ModelVersion { get; set; }

    /// <summary><c>auto</c>, <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>How often a host checks the registry index for a version activated elsewhere (shared registries).</summary>
    public TimeSpan RegistryPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public static string DefaultModelsPath => Path.Combine(AppContext.BaseDirectory, "models");
}
