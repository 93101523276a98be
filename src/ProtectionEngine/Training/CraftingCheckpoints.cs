using System.Globalization;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// The crafting network's epochs in a run's checkpoint folder: <c>crafting-epoch-NNNN.safetensors</c> holds the
/// network's state (<c>network.*</c>, batch-norm statistics included) and SGD's momentum buffers (<c>sgd.momentum.*</c>);
/// <c>crafting-epoch-NNNN.json</c> names the run's fingerprint and the epoch as it was reported, and is written last
/// (both under temporary names, then renamed), so a crash never leaves a half checkpoint that looks complete. The
/// latest <paramref name="keep"/> epochs are kept.
/// </summary>
/// <param name="fingerprint">The run (photos, concepts and every setting that changes the fit); checkpoints of another run are refused.</param>
public sealed class CraftingCheckpoints(string directory, string fingerprint, int keep = 2) : IEpochCheckpoints
{
    private const string FilePrefix = "crafting-epoch-";
    private const string NetworkPrefix = "network.";
    private const string MomentumPrefix = "sgd.momentum.";

    private sealed record Manifest(string Fingerprint, VictimEpoch Epoch, string WeightsFile, DateTimeOffset Created);

    public VictimEpoch? Restore(nn.Module model, SGD optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var latest = Manifests().MaxBy(m => m.Epoch.Epoch);
        if (latest is null)
            return null;
        if (latest.Fingerprint != fingerprint)
        {
            throw new InvalidOperationException(
                $"The crafting checkpoints in '{directory}' belong to another run (different photos or settings); "
                + "use another checkpoint folder, or delete them to start over.");
        }
        var tensors = SafeTensorsFormat.Read(File.ReadAllBytes(Path.Combine(directory, latest.WeightsFile)));
        GeneratorWeights.Import(model, Strip(tensors, NetworkPrefix));
        using var noGrad = no_grad();
        foreach (var (name, state) in MomentumStates(model, optimizer))
        {
            if (!tensors.TryGetValue(MomentumPrefix + name, out var saved) || !saved.Shape.SequenceEqual(state.Parameter.shape))
                throw new ModelIntegrityException($"Crafting checkpoint tensor '{MomentumPrefix + name}' is missing or has the wrong shape.");
            state.State.momentum_buffer?.Dispose();
            state.State.momentum_buffer = tensor(saved.Data, saved.Shape).to(state.Parameter.device).DetachFromDisposeScope();
        }
        return latest.Epoch;
    }

    public void Save(VictimEpoch epoch, nn.Module model, SGD optimizer)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        Directory.CreateDirectory(directory);
        var tensors = GeneratorWeights.Export(model).Select(t => t with { Name = NetworkPrefix + t.Name }).ToList();
        foreach (var (name, state) in MomentumStates(model, optimizer))
        {
            if (state.State.momentum_buffer is { } buffer)
            {
                using var cpu = buffer.detach().cpu().to_type(ScalarType.Float32).contiguous();
                tensors.Add(new NamedTensor(MomentumPrefix + name, cpu.shape, cpu.data<float>().ToArray()));
            }
        }
        string stem = FilePrefix + epoch.Epoch.ToString("D4", CultureInfo.InvariantCulture);
        TrainingCheckpoint.WriteAtomically(Path.Combine(directory, stem + ".safetensors"), SafeTensorsFormat.Write(tensors));
        var manifest = new Manifest(fingerprint, epoch, stem + ".safetensors", DateTimeOffset.UtcNow);
        TrainingCheckpoint.WriteAtomically(Path.Combine(directory, stem + ".json"), JsonSerializer.SerializeToUtf8Bytes(manifest, ModelCard.JsonOptions));
        foreach (var old in Manifests().OrderByDescending(m => m.Epoch.Epoch).Skip(keep).ToList())
        {
            // Manifest first: weights without their manifest are ignored, never half-loaded.
            File.Delete(Path.Combine(directory, Path.ChangeExtension(old.WeightsFile, ".json")));
            File.Delete(Path.Combine(directory, old.WeightsFile));
        }
    }

    private IEnumerable<Manifest> Manifests() =>
        // The weights file is derived from the manifest's own name, never trusted: no load or delete outside the folder.
        TrainingCheckpoint.ReadManifests<Manifest>(directory, FilePrefix)
            .Where(m => m.Manifest.Epoch is not null && m.Manifest.WeightsFile == m.Stem + ".safetensors"
                && File.Exists(Path.Combine(directory, m.Manifest.WeightsFile)))
            .Select(m => m.Manifest);

    private static Dictionary<string, NamedTensor> Strip(IReadOnlyDictionary<string, NamedTensor> tensors, string prefix) =>
        tensors.Values.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Name[prefix.Length..], t => t with { Name = t.Name[prefix.Length..] }, StringComparer.Ordinal);

    private static IEnumerable<(string Name, (Parameter Parameter, SGD.State State) State)> MomentumStates(nn.Module model, SGD optimizer)
    {
        // SGD keeps its states in the order of the parameters it was given: the module's parameters() order.
        var parameters = model.named_parameters().ToList();
        var states = optimizer.state_dict().State;
        if (states.Count != parameters.Count)
            throw new InvalidOperationException($"The optimiser holds {states.Count} parameter states; the module has {parameters.Count} parameters.");
        return parameters.Zip(states, (p, s) => (p.name, (p.parameter, (SGD.State)s)));
    }
}
