using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.Tests.Common;

namespace UploadGuard.ProtectionEngine.Tests.Architecture;

/// <summary>
/// The engine's three projects reference each other one way (evaluation, then training, then the runtime), and the
/// evaluation project's folders have no cycle.
/// </summary>
public sealed class ProjectDependencyTests
{
    private const string Engine = "UploadGuard.ProtectionEngine";

    private static readonly Dictionary<string, HashSet<string>> Folders =
        FolderDependencies.Of(typeof(ProtectionGate).Assembly, Engine);

    [Fact]
    public void The_engine_projects_form_a_chain_with_no_cycle()
    {
        var projects = FolderDependencies.Projects(AppContext.BaseDirectory, Engine);

        Assert.Empty(FolderDependencies.Cycles(projects));
        Assert.Empty(projects[Engine]);
        Assert.Equal([Engine], projects[Engine + ".Training"]);
        Assert.Equal([Engine, Engine + ".Training"], projects[Engine + ".Evaluation"].Order(StringComparer.Ordinal));
    }

    [Fact]
    public void No_evaluation_folder_depends_on_itself_through_others()
    {
        var cycles = FolderDependencies.Cycles(Folders);

        Assert.True(cycles.Count == 0, "Folder cycles: " + string.Join("; ", cycles.Select(c => FolderDependencies.Describe(Folders, c))));
        Assert.Contains("Surrogate", Folders["Evaluation"]);
    }
}
