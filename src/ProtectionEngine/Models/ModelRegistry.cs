using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Files;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// A folder of generator versions: <c>&lt;root&gt;/&lt;version&gt;/model-card.json</c> plus weights, and
/// <c>&lt;root&gt;/registry.json</c> naming the active version. Every load re-hashes the weights.
/// </summary>
public sealed partial class ModelRegistry(string root)
{
    public const string IndexFileName = "registry.json";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Every version folder with a readable card, newest first.</summary>
    public IReadOnlyList<ModelCard> List()
    {
        if (!Directory.Exists(Root))
            return [];
        var cards = new List<ModelCard>();
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var name = Path.GetFileName(dir);
            if (IsValidVersion(name) && File.Exists(Path.Combine(dir, ModelCard.FileName)))
                cards.Add(ReadCard(name));
        }
        return cards.OrderByDescending(c => c.Created).ThenByDescending(c => c.Version, StringComparer.Ordinal).ToList();
    }

    public string ActiveVersion
    {
        get
        {
            var index = Path.Combine(Root, IndexFileName);
            if (!File.Exists(index))
                throw new ModelIntegrityException($"No {IndexFileName} in model registry '{Root}'.");
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
                var version = doc.RootElement.GetProperty("active").GetString();
                return version is not null && IsValidVersion(version)
                    ? version
                    : throw new ModelIntegrityException($"{IndexFileName} names no valid active version.");
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new ModelIntegrityException($"{IndexFileName} in '{Root}' is malformed.", ex);
            }
        }
    }

    /// <summary>Makes a version active. The index is replaced atomically, so readers see the old or the new one.</summary>
    public void SetActive(string version)
    {
        ReadCard(version);
        Directory.CreateDirectory(Root);
        var index = Path.Combine(Root, IndexFileName);
        AtomicFile.Write(index, JsonSerializer.SerializeToUtf8Bytes(new { active = version }, ModelCard.JsonOptions));
    }

    public ModelCard ReadCard(string version)
    {
        var path = Path.Combine(VersionDirectory(version), ModelCard.FileName);
        if (!File.Exists(path))
            throw new ModelIntegrityException($"Model version '{version}' is not in the registry '{Root}'.");
        try
        {
            var card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllBytes(path), ModelCard.JsonOptions)
                ?? throw new ModelIntegrityException($"Model card of '{version}' is empty.");
            if (card.Version != version)
                throw new ModelIntegrityException($"Model card in folder '{version}' says it is version '{card.Version}'.");
            if (Path.GetFileName(card.Weights.File) != card.Weights.File || card.Weights.Format != "safetensors")
                throw new ModelIntegrityException($"Model card of '{version}' names an invalid weights file.");
            if (card.Architecture?.IsKnown != true)
                throw new ModelIntegrityException($"Model card of '{version}' names an unknown architecture '{card.Architecture?.Name}'.");
            if (card.WorkingSize <= 0 || card.WorkingSize % GeneratorArchitecture.SizeMultiple != 0 || card.WorkingSize > 2048)
                throw new ModelIntegrityException($"Model card of '{version}' has an invalid working size {card.WorkingSize}.");
            return card;
        }
        catch (JsonException ex)
        {
            throw new ModelIntegrityException($"Model card of '{version}' is malformed: {ex.Message}", ex);
        }
    }

    /// <summary>Loads a version after checking its weights against the SHA-256 in its card.</summary>
    public LoadedModel Load(string version, Device? device = null)
    {
        var card = ReadCard(version);
        var weightsPath = Path.Combine(VersionDirectory(version), card.Weights.File);
        if (!File.Exists(weightsPath))
            throw new ModelIntegrityException($"Weights file '{card.Weights.File}' of '{version}' is missing.");

        var bytes = File.ReadAllBytes(weightsPath);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, card.Weights.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new ModelIntegrityException(
                $"Weights of '{version}' fail verification: SHA-256 is {actual}, the model card says {card.Weights.Sha256}. The file was modified or corrupted.");

        var tensors = SafeTensorsFormat.Read(bytes);
        // ReadCard has refused architectures the catalog does not know.
        var generator = card.Architecture.Family!.Create(card.Architecture);
        try
        {
            GeneratorWeights.Import(generator, tensors);
            if (generator.ParameterCount != card.Parameters)
                throw new ModelIntegrityException($"'{version}' has {generator.ParameterCount} parameters; its card says {card.Parameters}.");
            var target = device ?? ComputeDevice.Select();
            generator.to(target);
            generator.eval();
            return new LoadedModel(card, generator, target);
        }
        catch
        {
            generator.Dispose();
            throw;
        }
    }

    public LoadedModel LoadActive(Device? device = null) => Load(ActiveVersion, device);

    /// <summary>Writes a new version (weights, then card). Refuses to replace an existing version.</summary>
    public ModelCard Save(ModelCard draft, GeneratorModule generator)
    {
        var dir = VersionDirectory(draft.Version);
        if (Directory.Exists(dir))
            throw new InvalidOperationException($"Model version '{draft.Version}' already exists in '{Root}'.");
        var bytes = SafeTensorsFormat.Write(GeneratorWeights.Export(generator),
            new Dictionary<string, string> { ["version"] = draft.Version, ["architecture"] = draft.Architecture.Name });

        var card = draft with
        {
            Architecture = generator.Architecture,
            Parameters = generator.ParameterCount,
            Weights = new ModelWeightsFile(draft.Weights.File, "safetensors", Convert.ToHexStringLower(SHA256.HashData(bytes))),
        };
        var staging = dir + $".{Environment.ProcessId}.staging";
        Directory.CreateDirectory(staging);
        File.WriteAllBytes(Path.Combine(staging, card.Weights.File), bytes);
        File.WriteAllText(Path.Combine(staging, ModelCard.FileName), JsonSerializer.Serialize(card, ModelCard.JsonOptions));
        Directory.Move(staging, dir);
        return card;
    }

    public static bool IsValidVersion(string version) => VersionPattern().IsMatch(version);

    private string VersionDirectory(string version) => IsValidVersion(version)
        ? Path.Combine(Root, version)
        : throw new ModelIntegrityException($"'{version}' is not a valid model version (letters, digits, '.', '-', '_').");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex VersionPattern();
}
