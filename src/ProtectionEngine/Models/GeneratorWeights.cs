using TorchSharp;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>Moves a module's state between TorchSharp tensors and <see cref="NamedTensor"/>s.</summary>
public static class GeneratorWeights
{
    public static List<NamedTensor> Export(nn.Module module) =>
        module.state_dict()
            .Select(kv =>
            {
                using var cpu = kv.Value.detach().cpu().to_type(ScalarType.Float32).contiguous();
                return new NamedTensor(kv.Key, cpu.shape, cpu.data<float>().ToArray());
            })
            .ToList();

    /// <summary>Copies every tensor into the module; names and shapes must match exactly, in both directions.</summary>
    public static void Import(nn.Module module, IReadOnlyDictionary<string, NamedTensor> tensors)
    {
        var state = module.state_dict();
        var missing = state.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
        var extra = tensors.Keys.Where(k => !state.ContainsKey(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new ModelIntegrityException(
                $"Weights do not fit the architecture (missing: {string.Join(", ", missing.DefaultIfEmpty("none"))}; unexpected: {string.Join(", ", extra.DefaultIfEmpty("none"))}).");

        using var noGrad = no_grad();
        foreach (var (name, target) in state)
        {
            var source = tensors[name];
            if (!source.Shape.SequenceEqual(target.shape))
                throw new ModelIntegrityException(
                    $"Tensor '{name}' has shape [{string.Join(", ", source.Shape)}]; the architecture expects [{string.Join(", ", target.shape)}].");
            using var value = tensor(source.Data, source.Shape);
            target.copy_(value);
        }
    }
}
