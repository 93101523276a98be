using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace UploadGuard.Tests.Common;

/// <summary>
/// The plumbing shared by the property-based fuzz targets. The same test is the ~10 s CI smoke run and the long run:
/// <c>UPLOADGUARD_FUZZ_SECONDS</c> sets how long each target samples, and <c>UPLOADGUARD_FUZZ_CORPUS_OUT</c> names a
/// folder that receives one input per newly seen behaviour (its "signature": the outcome class with numbers blanked
/// out), every failing input, and a summary with the execution count. Inputs worth keeping are committed under the
/// test project's <c>FuzzCorpus/&lt;target&gt;</c> folder and replayed by every CI run.
/// </summary>
public sealed partial class FuzzCorpus(string target)
{
    public const string SecondsVariable = "UPLOADGUARD_FUZZ_SECONDS";
    public const string OutputVariable = "UPLOADGUARD_FUZZ_CORPUS_OUT";

    private readonly ConcurrentDictionary<string, byte> _signatures = new(StringComparer.Ordinal);
    private long _executions;
    private long _saved;

    public string Target { get; } = target;

    public long Executions => Interlocked.Read(ref _executions);

    public int DistinctSignatures => _signatures.Count;

    /// <summary>Seconds to sample: the environment's choice, or the smoke default.</summary>
    public static int Seconds(int smoke) =>
        int.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : smoke;

    /// <summary>Where new inputs go during a long run; null in CI.</summary>
    public string? OutputFolder =>
        Environment.GetEnvironmentVariable(OutputVariable) is { Length: > 0 } root ? Directory.CreateDirectory(Path.Combine(root, Target)).FullName : null;

    /// <summary>The committed inputs of this target (copied beside the test assembly).</summary>
    public IReadOnlyList<(string Name, byte[] Data)> Committed()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", Target);
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder, "*.bin").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
    }

    /// <summary>Counts one execution and keeps the input if its behaviour has not been seen in this run.</summary>
    public void Observe(string outcome, byte[] input)
    {
        Interlocked.Increment(ref _executions);
        var signature = Normalise(outcome);
        if (!_signatures.TryAdd(signature, 0) || OutputFolder is not { } folder) return;
        // A corpus is for reading, not for storage: huge inputs and an unbounded file count are not kept.
        if (input.Length > 64 * 1024 || Interlocked.Increment(ref _saved) > 400) return;
        var name = $"{Hash(input)}.bin";
        File.WriteAllBytes(Path.Combine(folder, name), input);
        lock (_signatures)
            File.AppendAllText(Path.Combine(folder, "signatures.tsv"), $"{name}\t{signature}\n");
    }

    /// <summary>Keeps a failing input (always, when a folder is set) and says where it went.</summary>
    public string Failure(byte[] input, Exception error)
    {
        var name = $"crash-{Hash(input)}.bin";
        if (OutputFolder is { } folder)
        {
            File.WriteAllBytes(Path.Combine(folder, name), input);
            File.AppendAllText(Path.Combine(folder, "failures.txt"), $"{name}\t{error.GetType().Name}: {error.Message}\n");
        }
        return input.Length <= 4096 ? $"{name} (base64 {Convert.ToBase64String(input)})" : $"{name} ({input.Length} bytes)";
    }

    /// <summary>Writes the run's figures next to the inputs, for docs/reliability.md.</summary>
    public void Summarise(TimeSpan elapsed, int failures)
    {
        if (Environment.GetEnvironmentVariable(OutputVariable) is not { Length: > 0 } root) return;
        Directory.CreateDirectory(root);
        File.AppendAllText(Path.Combine(root, "summary.tsv"),
            string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:O}\t{Target}\t{Executions}\t{elapsed.TotalSeconds:0}\t{DistinctSignatures}\t{failures}\n"));
    }

    public static string Normalise(string outcome)
    {
        var blanked = Digits().Replace(outcome, "#");
        return blanked.Length <= 120 ? blanked : blanked[..120];
    }

    private static string Hash(byte[] input) => Convert.ToHexStringLower(SHA256.HashData(input))[..16];

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();

    /// <summary>ASCII for a corpus line; the rest as they are.</summary>
    public static byte[] Join(string header, byte[] body) => [.. Encoding.ASCII.GetBytes(header + "\n"), .. body];

    public static (string Header, byte[] Body) Split(byte[] data)
    {
        int newline = Array.IndexOf(data, (byte)'\n');
        return newline < 0 ? ("", data) : (Encoding.ASCII.GetString(data, 0, newline), data[(newline + 1)..]);
    }
}
