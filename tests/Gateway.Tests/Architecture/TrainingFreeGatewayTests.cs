using System.Text.Json;
using UploadGuard.Gateway.Protection;

namespace UploadGuard.Gateway.Tests.Architecture;

/// <summary>
/// The gateway's published output carries no training or evaluation code (issue 19): retraining runs in the CLI's
/// worker process. Checked on the compiled assembly and on the dependency manifest publishing copies from.
/// </summary>
public sealed class TrainingFreeGatewayTests
{
    private static readonly string[] Forbidden = ["UploadGuard.ProtectionEngine.Training", "UploadGuard.ProtectionEngine.Evaluation"];

    private static bool IsForbidden(string assemblyName) => Forbidden.Any(prefix => assemblyName.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void The_gateway_assembly_references_no_training_or_evaluation_assembly()
    {
        var references = typeof(ProtectionPipeline).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        // Guards the check: the engine the gateway does use is seen.
        Assert.Contains(references, r => r.StartsWith("UploadGuard.ProtectionEngine", StringComparison.Ordinal));
        Assert.DoesNotContain(references, IsForbidden);
    }

    [Fact]
    public void The_gateways_dependency_manifest_lists_no_training_or_evaluation_library()
    {
        using var deps = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "UploadGuard.Gateway.deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).ToList();
        var assemblies = deps.RootElement.GetProperty("targets").EnumerateObject()
            .SelectMany(target => target.Value.EnumerateObject())
            .Where(library => library.Value.TryGetProperty("runtime", out _))
            .SelectMany(library => library.Value.GetProperty("runtime").EnumerateObject().Select(asset => Path.GetFileNameWithoutExtension(asset.Name)))
            .ToList();

        Assert.Contains("UploadGuard.Gateway", libraries);
        Assert.Contains("UploadGuard.ProtectionEngine", assemblies);
        Assert.DoesNotContain(libraries, IsForbidden);
        Assert.DoesNotContain(assemblies, IsForbidden);
    }
}
