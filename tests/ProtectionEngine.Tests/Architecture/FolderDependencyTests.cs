using UploadGuard.ProtectionEngine.Models;
using UploadGuard.Tests.Common;

namespace UploadGuard.ProtectionEngine.Tests.Architecture;

/// <summary>The runtime engine's feature folders depend on each other one way only, and the runtime on no training or evaluation code.</summary>
public sealed class FolderDependencyTests
{
    private const string Root = "UploadGuard.ProtectionEngine";

    private static readonly Dictionary<string, HashSet<string>> Graph = FolderDependencies.Of(typeof(ModelRegistry).Assembly, Root);

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var cycles = FolderDependencies.Cycles(Graph);

        Assert.True(cycles.Count == 0, "Folder cycles: " + string.Join("; ", cycles.Select(c => FolderDependencies.Describe(Graph, c))));
    }

    [Fact]
    public void The_runtime_references_no_other_UploadGuard_assembly()
    {
        // Training and evaluation sit above the runtime (their own projects); the gateway ships the runtime alone.
        var references = typeof(ModelRegistry).Assembly.GetReferencedAssemblies().Select(r => r.Name);

        Assert.DoesNotContain(references, r => r!.StartsWith("UploadGuard.", StringComparison.Ordinal));
        Assert.Contains("TorchSharp", references);
    }

    [Fact]
    public void The_reader_sees_dependencies_that_exist()
    {
        // Guards the check itself: a reader that saw nothing would pass the tests above.
        Assert.Contains("Models", Graph["Protection"]);
        Assert.Contains("Imaging", Graph["Hosting"]);
    }

    [Fact]
    public void A_cycle_is_found_and_named()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };

        var cycle = Assert.Single(FolderDependencies.Cycles(graph));

        Assert.Equal(["A", "B", "C"], cycle);
        Assert.Equal("A -> B, B -> C, C -> A", FolderDependencies.Describe(graph, cycle));
        Assert.Empty(FolderDependencies.Cycles(new() { ["A"] = ["B"], ["B"] = [] }));
    }
}
