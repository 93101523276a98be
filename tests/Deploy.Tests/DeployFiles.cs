using YamlDotNet.RepresentationModel;

namespace UploadGuard.Deploy.Tests;

/// <summary>The files under deploy/, parsed.</summary>
public static class DeployFiles
{
    public static string Root { get; } = FindRoot();

    public static string DeployFolder => Path.Combine(Root, "deploy");

    /// <summary>Every YAML document of every manifest in deploy/k8s, with its file name.</summary>
    public static IReadOnlyList<(string File, YamlMappingNode Document)> Manifests() =>
        Directory.GetFiles(Path.Combine(DeployFolder, "k8s"), "*.yaml").Order()
            .SelectMany(file => Load(file).Select(doc => (Path.GetFileName(file), doc)))
            .ToList();

    public static YamlMappingNode Manifest(string kind, string name) =>
        Manifests().Single(m => Str(m.Document, "kind") == kind && Str(m.Document, "metadata", "name") == name).Document;

    public static IEnumerable<YamlMappingNode> Load(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
            stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode);
    }

    public static YamlNode? Node(YamlNode node, params object[] path)
    {
        YamlNode? current = node;
        foreach (var step in path)
        {
            current = (current, step) switch
            {
                (YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null,
                (YamlSequenceNode list, int index) => index < list.Children.Count ? list.Children[index] : null,
                _ => null,
            };
            if (current is null) return null;
        }
        return current;
    }

    public static string? Str(YamlNode node, params object[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    public static YamlMappingNode Map(YamlNode node, params object[] path) =>
        Node(node, path) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"no mapping at {string.Join(".", path)}");

    public static IEnumerable<YamlNode> List(YamlNode node, params object[] path) =>
        (Node(node, path) as YamlSequenceNode)?.Children ?? Enumerable.Empty<YamlNode>();

    public static Dictionary<string, string> Pairs(YamlMappingNode map) =>
        map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => (kv.Value as YamlScalarNode)?.Value ?? "");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "UploadGuard.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("UploadGuard.sln not found above the test folder.");
    }
}
