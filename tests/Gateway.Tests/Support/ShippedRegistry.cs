using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>Writable copies of the shipped model registry, for gateways that switch or pin the active version.</summary>
public static class ShippedRegistry
{
    /// <summary>The shipped untrained placeholder: perturbs, claims nothing.</summary>
    public const string Placeholder = "0.1.0-untrained";

    /// <summary>Copies the shipped registry into <paramref name="folder"/>, with <paramref name="active"/> active when given.</summary>
    public static ModelRegistry CopyTo(string folder, string? active = null)
    {
        foreach (var file in Directory.GetFiles(EngineOptions.DefaultModelsPath, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(EngineOptions.DefaultModelsPath, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var registry = new ModelRegistry(folder);
        if (active is not null) registry.SetActive(active);
        return registry;
    }
}
