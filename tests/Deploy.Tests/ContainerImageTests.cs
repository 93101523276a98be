using YamlDotNet.RepresentationModel;
using static UploadGuard.Deploy.Tests.DeployFiles;

namespace UploadGuard.Deploy.Tests;

/// <summary>Docker cannot build here (no engine); these checks keep the Dockerfiles and compose file consistent.</summary>
public sealed class ContainerImageTests
{
    [Theory]
    [InlineData("Dockerfile.cpu", "cpu")]
    [InlineData("Dockerfile.cuda", "cuda")]
    public void Dockerfile_builds_on_ubuntu_24_04_with_its_backend_and_runs_the_gateway_unprivileged(string file, string backend)
    {
        var lines = File.ReadAllLines(Path.Combine(DeployFolder, file)).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, froms.Count);
        Assert.All(froms, from => Assert.True(from.Contains("-noble", StringComparison.Ordinal) || from.Contains("ubuntu24.04", StringComparison.Ordinal), from));

        var text = string.Join("\n", lines);
        Assert.Contains($"-p:TorchBackend={backend}", text);
        Assert.DoesNotContain($"-p:TorchBackend={(backend == "cpu" ? "cuda" : "cpu")}", text);
        Assert.Contains("dotnet publish src/Gateway/Gateway.csproj", text);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"UploadGuard.Gateway.dll\"]", text);
        var gatewayProject = File.ReadAllText(Path.Combine(Root, "src", "Gateway", "Gateway.csproj"));
        Assert.Contains("<AssemblyName>UploadGuard.Gateway</AssemblyName>", gatewayProject);

        var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user);
        Assert.True(lines.IndexOf(user) > lines.FindLastIndex(l => l.StartsWith("RUN ", StringComparison.Ordinal)), "USER comes after the last RUN");
        Assert.Contains("ASPNETCORE_URLS=http://+:8080", text);
        Assert.Contains("EXPOSE 8080", text);

        // The retraining gate (in the worker, which inherits the gateway's environment) needs the surrogate's two ONNX files where the variable points, with the
        // preprocessing model beside the network as in the package.
        Assert.Contains("UPLOADGUARD_RESNET18_ONNX=/app/surrogate/ResNet18Onnx/ResNet18.onnx", text);
        Assert.Contains("microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/tools/DnnImageModels/ResNet18Onnx", text);
        Assert.Contains("microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/tools/DnnImageModels/ResNetPrepOnnx /app/surrogate/", text);
        // Admin retraining starts the CLI published beside the gateway as its worker process.
        Assert.Contains("dotnet publish src/Cli/Cli.csproj -c Release -o /app/cli", text);
        Assert.Contains("Admin__RetrainWorker=/app/cli/uploadguard.dll", text);
        // The package is the evaluation project's, the one the worker's gate runs (the gateway no longer references it).
        var evaluationProject = File.ReadAllText(Path.Combine(Root, "src", "ProtectionEngine.Evaluation", "ProtectionEngine.Evaluation.csproj"));
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", evaluationProject);
        Assert.Contains("0.23.1", evaluationProject);
        // libjpeg-turbo's library in the runtime image (Ubuntu's name): the engine holds JPEG output to libjpeg's decoder too.
        Assert.Matches(@"RUN apt-get update[^\n]*\n?.*apt-get install[^\n]*\blibturbojpeg\b", text);
        Assert.True(lines.FindIndex(l => l.Contains("libturbojpeg", StringComparison.Ordinal)) > lines.IndexOf(froms[1]), "installed in the runtime stage");
    }

    [Fact]
    public void Backend_property_picks_exactly_one_libtorch_package()
    {
        var engine = File.ReadAllText(Path.Combine(Root, "src", "ProtectionEngine", "ProtectionEngine.csproj"));
        Assert.Contains("Include=\"libtorch-cpu-linux-x64\" Version=\"2.10.0\" Condition=\"'$(TorchBackend)' == 'cpu'\"", engine);
        Assert.Contains("Include=\"libtorch-cuda-12.8-linux-x64\" Version=\"2.10.0\" Condition=\"'$(TorchBackend)' == 'cuda'\"", engine);
    }

    [Fact]
    public void Compose_runs_two_gateways_on_one_redis_backplane_in_front_of_the_demo_upstream()
    {
        var compose = Load(Path.Combine(DeployFolder, "compose.yaml")).Single();
        var services = Map(compose, "services");
        Assert.Superset(new HashSet<string> { "redis", "upstream", "gateway-a", "gateway-b" }, Pairs(services).Keys.ToHashSet());

        foreach (var name in new[] { "gateway-a", "gateway-b" })
        {
            var gateway = WithMergeKey(Map(services, name));
            var environment = Pairs(Map(gateway, "environment"));
            Assert.Equal("redis:6379", environment["SignalR__Redis"]);
            Assert.Equal("true", environment["ReverseProxy__Routes__upload__Metadata__UploadGuard.Protect"]);
            Assert.StartsWith("http://upstream:8080", environment["ReverseProxy__Clusters__site__Destinations__upstream__Address"]);
            Assert.Equal("service_healthy", Str(gateway, "depends_on", "redis", "condition"));
            // Both gateways derive owner keys from one secret given by the environment, never a per-container file.
            Assert.StartsWith("${UPLOADGUARD_OWNER_SECRET:?", environment["Protection__OwnerKeys__Secret"]);
        }
        Assert.NotEqual(Str(WithMergeKey(Map(services, "gateway-a")), "ports", 0), Str(WithMergeKey(Map(services, "gateway-b")), "ports", 0));
        var upstream = Pairs(Map(services, "upstream", "environment"));
        Assert.Equal("false", upstream["DemoUpstream__Protect"]);
    }

    /// <summary>Applies a YAML merge key (<c>&lt;&lt;: *anchor</c>), which the representation model leaves as a plain entry.</summary>
    private static YamlMappingNode WithMergeKey(YamlMappingNode service)
    {
        var merged = new YamlMappingNode();
        if (Node(service, "<<") is YamlMappingNode inherited)
        {
            foreach (var (key, value) in inherited.Children)
                merged.Children[key] = value;
        }
        foreach (var (key, value) in service.Children)
        {
            if (key is YamlScalarNode { Value: "<<" }) continue;
            merged.Children[key] = value;
        }
        return merged;
    }
}
