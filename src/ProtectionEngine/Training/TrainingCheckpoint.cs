using System.Globalization;
using System.Text.Json;
using TorchSharp.Modules;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Checkpoints of a training run in a folder: <c>step-NNNNNNNN.safetensors</c> holds the generator's tensors
/// (<c>generator.*</c>) and Adam's first and second moments (<c>adam.exp_avg.*</c>, <c>adam.exp_avg_sq.*</c>), so a
/// resumed run continues the same optimisation, not a cold restart; a min-min run adds its stand-in victim's state and
/// moments under <c>proxy.</c>; <c>step-NNNNNNNN.json</c>
/// (<see cref="CheckpointManifest"/>) is written last. Both are written to temporary names and renamed, so a crash or
/// cancellation never leaves a half checkpoint that looks complete. Safetensors, like the model files: loading parses
/// numbers and executes nothing.
/// </summary>
public static class TrainingCheckpoint
{
    private const string GeneratorPrefix = "generator.";
    private const string FirstMomentPrefix = "adam.exp_avg.";
    private const string SecondMomentPrefix = "adam.exp_avg_sq.";
    private const string FilePrefix = "step-";
    private const string ProxyPrefix = "proxy.";

    public static CheckpointManifest Save(string directory, long step, string fingerprint, PerturbationGenerator generator, Adam optimizer,
        IReadOnlyDictionary<string, double> lossTerms, int keep, ProxyClassifier? proxy = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(optimizer);
        Directory.CreateDirectory(directory);
        string stem = Stem(step);
        var tensors = Export("", generator, optimizer, out long adamStep);
        if (proxy is not null)
            tensors.AddRange(Export(ProxyPrefix, proxy.Network, proxy.Optimizer, out _));

        string weightsFile = stem + ".safetensors";
        WriteAtomically(Path.Combine(directory, weightsFile), SafeTensorsFormat.Write(tensors));
        var manifest = new CheckpointManifest(step, fingerprint, weightsFile, adamStep, DateTimeOffset.UtcNow, lossTerms);
        WriteAtomically(Path.Combine(directory, stem + ".json"), JsonSerializer.SerializeToUtf8Bytes(manifest, ModelCard.JsonOptions));
        Prune(directory, keep);
        return manifest;
    }

    /// <summary>The complete checkpoint with the most steps, or null when the folder has none.</summary>
    public static CheckpointManifest? FindLatest(string? directory)
    {
        if (directory is null || !Directory.Exists(directory))
            return null;
        return Manifests(directory)
            .Where(m => File.Exists(Path.Combine(directory, m.WeightsFile)))
            .MaxBy(m => m.Step);
    }

    /// <summary>Loads a checkpoint's generator weights and Adam moments (and a min-min run's proxy) into freshly built ones.</summary>
    /// <exception cref="ModelIntegrityException">The file is damaged or does not fit the generator.</exception>
    public static void Restore(string directory, CheckpointManifest manifest, PerturbationGenerator generator, Adam optimizer, ProxyClassifier? proxy = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (manifest.WeightsFile != Stem(manifest.Step) + ".safetensors")
            throw new ModelIntegrityException($"Checkpoint manifest of step {manifest.Step} names an unexpected file.");
        var tensors = SafeTensorsFormat.Read(File.ReadAllBytes(Path.Combine(directory, manifest.WeightsFile)));
        Import(tensors, "", generator, optimizer, manifest.AdamStep);
        if (proxy is not null)
            Import(tensors, ProxyPrefix, proxy.Network, proxy.Optimizer, manifest.AdamStep);
    }

    private static List<NamedTensor> Export(string prefix, nn.Module module, Adam optimizer, out long adamStep)
    {
        var tensors = GeneratorWeights.Export(module).Select(t => t with { Name = prefix + GeneratorPrefix + t.Name }).ToList();
        adamStep = 0;
        foreach (var (name, state) in AdamStates(module, optimizer))
        {
            tensors.Add(ToNamed(prefix + FirstMomentPrefix + name, state.exp_avg));
            tensors.Add(ToNamed(prefix + SecondMomentPrefix + name, state.exp_avg_sq));
            adamStep = Math.Max(adamStep, state.step);
        }
        return tensors;
    }

    private static void Import(IReadOnlyDictionary<string, NamedTensor> tensors, string prefix, nn.Module module, Adam optimizer, long adamStep)
    {
        string weightsPrefix = prefix + GeneratorPrefix;
        var weights = tensors.Values.Where(t => t.Name.StartsWith(weightsPrefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Name[weightsPrefix.Length..], t => t with { Name = t.Name[weightsPrefix.Length..] }, StringComparer.Ordinal);
        GeneratorWeights.Import(module, weights);

        using var noGrad = no_grad();
        foreach (var (name, state) in AdamStates(module, optimizer))
        {
            CopyInto(tensors, prefix + FirstMomentPrefix + name, state.exp_avg);
            CopyInto(tensors, prefix + SecondMomentPrefix + name, state.exp_avg_sq);
            state.step = adamStep;
        }
    }

    private static IEnumerable<(string Name, Adam.State State)> AdamStates(nn.Module module, Adam optimizer)
    {
        // Adam keeps its states in the order of the parameters it was given: the module's parameters() order.
        var names = module.named_parameters().Select(p => p.name).ToList();
        var states = optimizer.state_dict().State;
        if (states.Count != names.Count)
            throw new InvalidOperationException($"The optimiser holds {states.Count} parameter states; the module has {names.Count} parameters.");
        return names.Zip(states, (name, state) => (name, (Adam.State)state));
    }

    private static NamedTensor ToNamed(string name, Tensor value)
    {
        using var cpu = value.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return new NamedTensor(name, cpu.shape, cpu.data<float>().ToArray());
    }

    private static void CopyInto(IReadOnlyDictionary<string, NamedTensor> tensors, string name, Tensor target)
    {
        if (!tensors.TryGetValue(name, out var source) || !source.Shape.SequenceEqual(target.shape))
            throw new ModelIntegrityException($"Checkpoint tensor '{name}' is missing or has the wrong shape.");
        using var value = tensor(source.Data, source.Shape);
        target.copy_(value);
    }

    private static IEnumerable<CheckpointManifest> Manifests(string directory) =>
        // The names are derived, never trusted: a manifest cannot point a load or a delete outside the folder.
        ReadManifests<CheckpointManifest>(directory, FilePrefix).Where(m => m.Stem == Stem(m.Manifest.Step)
            && m.Manifest.WeightsFile == Stem(m.Manifest.Step) + ".safetensors").Select(m => m.Manifest);

    /// <summary>The JSON manifests named <c>{prefix}*.json</c> in a folder that parse, with their file names less the extension; unreadable ones are skipped.</summary>
    internal static IEnumerable<(string Stem, T Manifest)> ReadManifests<T>(string directory, string prefix) where T : class
    {
        if (!Directory.Exists(directory))
            yield break;
        foreach (var path in Directory.EnumerateFiles(directory, prefix + "*.json"))
        {
            T? manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), ModelCard.JsonOptions);
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                continue;
            }
            if (manifest is not null)
                yield return (Path.GetFileNameWithoutExtension(path), manifest);
        }
    }

    private static void Prune(string directory, int keep)
    {
        foreach (var old in Manifests(directory).OrderByDescending(m => m.Step).Skip(keep).ToList())
        {
            // Manifest first: a checkpoint without its manifest is ignored, never half-loaded.
            File.Delete(Path.Combine(directory, Stem(old.Step) + ".json"));
            File.Delete(Path.Combine(directory, old.WeightsFile));
        }
    }

    private static string Stem(long step) => FilePrefix + step.ToString("D8", CultureInfo.InvariantCulture);

    internal static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}
