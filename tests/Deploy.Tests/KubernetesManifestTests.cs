using System.Text.RegularExpressions;
using static UploadGuard.Deploy.Tests.DeployFiles;

namespace UploadGuard.Deploy.Tests;

/// <summary>
/// The manifests cannot be applied here (no cluster), so these checks keep them consistent with each other and with
/// the gateway: selectors, ports, probes, volumes, the GPU scheduling and the metric the autoscaler reads.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private const string GatewayDeployment = "uploadguard-gateway";

    [Fact]
    public void Every_document_has_api_version_kind_name_and_the_app_label()
    {
        var manifests = Manifests();
        Assert.NotEmpty(manifests);
        foreach (var (file, doc) in manifests)
        {
            Assert.False(string.IsNullOrEmpty(Str(doc, "apiVersion")), file);
            Assert.False(string.IsNullOrEmpty(Str(doc, "kind")), file);
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", Str(doc, "metadata", "name") ?? "");
            Assert.Equal("uploadguard", Str(doc, "metadata", "labels", "app.kubernetes.io/name"));
        }
        var kinds = manifests.Select(m => Str(m.Document, "kind")).ToHashSet();
        Assert.Superset(new HashSet<string?> { "Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "ConfigMap", "Secret", "PersistentVolumeClaim", "Job" }, kinds);
    }

    [Fact]
    public void Deployment_selects_its_pods_and_the_service_and_ingress_reach_them()
    {
        var deployment = Manifest("Deployment", GatewayDeployment);
        var podLabels = Pairs(Map(deployment, "spec", "template", "metadata", "labels"));
        Assert.Equal(Pairs(Map(deployment, "spec", "selector", "matchLabels")), podLabels.Where(kv => Pairs(Map(deployment, "spec", "selector", "matchLabels")).ContainsKey(kv.Key)).ToDictionary());

        var service = Manifest("Service", GatewayDeployment);
        Assert.All(Pairs(Map(service, "spec", "selector")), kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        var container = Node(deployment, "spec", "template", "spec", "containers", 0)!;
        var containerPorts = List(container, "ports").Select(p => Str(p, "name")).ToList();
        Assert.Contains(Str(service, "spec", "ports", 0, "targetPort"), containerPorts);

        var backend = Node(Manifest("Ingress", GatewayDeployment), "spec", "rules", 0, "http", "paths", 0, "backend", "service")!;
        Assert.Equal(GatewayDeployment, Str(backend, "name"));
        Assert.Equal(Str(service, "spec", "ports", 0, "name"), Str(backend, "port", "name"));
    }

    [Fact]
    public void Container_port_matches_the_configured_listen_address()
    {
        var config = Pairs(Map(Manifest("ConfigMap", "uploadguard-config"), "data"));
        var port = Str(Manifest("Deployment", GatewayDeployment), "spec", "template", "spec", "containers", 0, "ports", 0, "containerPort");
        Assert.EndsWith(":" + port, config["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void Probes_use_the_gateway_health_endpoints()
    {
        var container = Node(Manifest("Deployment", GatewayDeployment), "spec", "template", "spec", "containers", 0)!;
        Assert.Equal("/healthz", Str(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", Str(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", Str(container, "startupProbe", "httpGet", "path"));
        var program = File.ReadAllText(Path.Combine(Root, "src", "Gateway", "Program.cs"));
        Assert.Contains("\"/healthz\"", program);
        Assert.Contains("\"/readyz\"", program);
    }

    [Theory]
    [InlineData("Deployment", GatewayDeployment)]
    [InlineData("Job", "uploadguard-retrain")]
    public void Engine_workloads_ask_for_a_gpu_and_may_run_on_gpu_nodes(string kind, string name)
    {
        var pod = Map(Manifest(kind, name), "spec", "template", "spec");
        Assert.Equal("1", Str(pod, "containers", 0, "resources", "limits", "nvidia.com/gpu"));
        Assert.NotNull(Str(pod, "nodeSelector", "nvidia.com/gpu.present"));
        Assert.Contains(List(pod, "tolerations"), t => Str(t, "key") == "nvidia.com/gpu");
        Assert.Equal("true", Str(pod, "securityContext", "runAsNonRoot"));
    }

    [Fact]
    public void Every_claimed_volume_exists_and_the_registry_is_mounted_where_the_engine_looks()
    {
        var claims = Manifests().Where(m => Str(m.Document, "kind") == "PersistentVolumeClaim").Select(m => Str(m.Document, "metadata", "name")).ToHashSet();
        foreach (var (kind, name) in new[] { ("Deployment", GatewayDeployment), ("Job", "uploadguard-retrain") })
        {
            var pod = Map(Manifest(kind, name), "spec", "template", "spec");
            foreach (var volume in List(pod, "volumes"))
                Assert.Contains(Str(volume, "persistentVolumeClaim", "claimName"), claims);
        }
        var config = Pairs(Map(Manifest("ConfigMap", "uploadguard-config"), "data"));
        var mounts = List(Manifest("Deployment", GatewayDeployment), "spec", "template", "spec", "containers", 0, "volumeMounts");
        Assert.Contains(mounts, m => Str(m, "name") == "models" && Str(m, "mountPath") == config["Engine__ModelsPath"]);
        Assert.Equal("ReadWriteMany", Str(Manifest("PersistentVolumeClaim", "uploadguard-models"), "spec", "accessModes", 0));
    }

    [Fact]
    public void Autoscaler_targets_the_deployment_on_the_queue_depth_the_engine_exports()
    {
        var hpa = Manifest("HorizontalPodAutoscaler", GatewayDeployment);
        Assert.Equal("Deployment", Str(hpa, "spec", "scaleTargetRef", "kind"));
        Assert.Equal(GatewayDeployment, Str(hpa, "spec", "scaleTargetRef", "name"));
        var metric = Str(hpa, "spec", "metrics", 0, "pods", "metric", "name")!;
        var instrument = InstrumentName().Match(File.ReadAllText(Path.Combine(Root, "src", "ProtectionEngine", "Batching", "EngineMetrics.cs")));
        Assert.Contains(metric, instrument.Groups.Cast<Group>().Skip(1).Select(g => g.Value.Replace('.', '_')));
    }

    [Fact]
    public void Configuration_keys_name_real_gateway_sections_and_the_secret_carries_the_tokens()
    {
        var config = Pairs(Map(Manifest("ConfigMap", "uploadguard-config"), "data"));
        var known = new[] { "ASPNETCORE_URLS", "DemoUpstream", "Engine", "SignalR", "Imaging", "Protection", "ReverseProxy", "Batching", "EngineResilience", "RateLimits", "Clients" };
        Assert.All(config.Keys, key => Assert.Contains(key.Split("__")[0], known));
        Assert.Equal("uploadguard-redis:6379", config["SignalR__Redis"]);
        Assert.NotNull(Manifest("Service", "uploadguard-redis"));

        var secret = Pairs(Map(Manifest("Secret", "uploadguard-tokens"), "stringData"));
        Assert.Contains("Clients__Users__0__Token", secret.Keys);
        Assert.DoesNotContain(config.Keys, key => key.StartsWith("Clients", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_replica_takes_the_same_owner_key_secret_from_a_kubernetes_secret()
    {
        var secret = Pairs(Map(Manifest("Secret", "uploadguard-owner-keys"), "stringData"));
        // The placeholder must not start a gateway: shorter than the 32 bytes a secret needs.
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(secret["Protection__OwnerKeys__Secret"]) < 32);
        var sources = List(Manifest("Deployment", GatewayDeployment), "spec", "template", "spec", "containers", 0, "envFrom");
        Assert.Contains(sources, source => Str(source, "secretRef", "name") == "uploadguard-owner-keys");
        var config = Pairs(Map(Manifest("ConfigMap", "uploadguard-config"), "data"));
        Assert.DoesNotContain(config.Keys, key => key.StartsWith("Protection__OwnerKeys__Secret", StringComparison.Ordinal)
            || key.StartsWith("Protection__OwnerKeys__PreviousSecrets", StringComparison.Ordinal));
    }

    [Fact]
    public void Ingress_admits_the_largest_upload_the_engine_accepts()
    {
        var size = Str(Manifest("Ingress", GatewayDeployment), "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size")!;
        long bytes = long.Parse(size.TrimEnd('m'), System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024;
        var config = Pairs(Map(Manifest("ConfigMap", "uploadguard-config"), "data"));
        Assert.True(bytes > long.Parse(config["Imaging__MaxBytes"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("CreateUpDownCounter<int>\\(\\s*\"(uploadguard\\.engine\\.queue\\.depth)\"")]
    private static partial Regex InstrumentName();
}
