using UploadGuard.ProtectionEngine.Training;
using UploadGuard.Tests.Common;

namespace UploadGuard.ProtectionEngine.Tests.Architecture;

/// <summary>The training project's folders depend on each other one way only, and the project on the runtime alone.</summary>
public sealed class FolderDependencyTests
{
    private static readonly Dictionary<string, HashSet<string>> Graph =
        FolderDependencies.Of(typeof(GeneratorTrainer).Assembly, "UploadGuard.ProtectionEngine");

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var cycles = FolderDependencies.Cycles(Graph);

        Assert.True(cycles.Count == 0, "Folder cycles: " + string.Join("; ", cycles.Select(c => FolderDependencies.Describe(Graph, c))));
        // Guards the reader: one that saw nothing would pass.
        Assert.Contains("Networks", Graph["Training"]);
        Assert.Contains("Datasets", Graph["Training"]);
    }

    [Fact]
    public void Training_references_the_runtime_and_no_evaluation_code()
    {
        var references = typeof(GeneratorTrainer).Assembly.GetReferencedAssemblies().Select(r => r.Name)
            .Where(r => r!.StartsWith("UploadGuard.", StringComparison.Ordinal));

        Assert.Equal(["UploadGuard.ProtectionEngine"], references);
    }
}
