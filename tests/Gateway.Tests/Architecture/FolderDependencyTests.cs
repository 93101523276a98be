using UploadGuard.Gateway.Protection;
using UploadGuard.Tests.Common;

namespace UploadGuard.Gateway.Tests.Architecture;

/// <summary>The gateway's feature folders depend on each other one way only.</summary>
public sealed class FolderDependencyTests
{
    private const string Root = "UploadGuard.Gateway";

    private static readonly Dictionary<string, HashSet<string>> Graph = FolderDependencies.Of(typeof(ProtectionPipeline).Assembly, Root);

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var cycles = FolderDependencies.Cycles(Graph);

        Assert.True(cycles.Count == 0, "Folder cycles: " + string.Join("; ", cycles.Select(c => FolderDependencies.Describe(Graph, c))));
    }

    [Fact]
    public void The_proxy_adapter_is_used_by_no_other_folder()
    {
        // Proxy is a thin adapter over the Protection pipeline: what the pipeline, the API and the admin need lives there.
        Assert.Empty(Graph.Where(g => g.Value.Contains("Proxy")).Select(g => g.Key));
    }

    [Fact]
    public void The_reader_sees_dependencies_that_exist()
    {
        // Guards the check itself: a reader that saw nothing would pass the tests above.
        Assert.Contains("Engine", Graph["Proxy"]);
        Assert.Contains("Protection", Graph["Proxy"]);
        Assert.Contains("Jobs", Graph["Hubs"]);
    }
}
