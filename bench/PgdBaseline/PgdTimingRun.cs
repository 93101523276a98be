using System.Diagnostics;
using System.Globalization;
using System.Text;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Surrogate;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.Bench.Pgd;

/// <summary>
/// <c>pgd-baseline time</c>: time per image of the PGD baseline against the generator engine on the same images, in the
/// same process. The engine's figure is EngineBench's "delta" (the whole protection minus decode, encode and the
/// verification decode: working canvas, queue, generator, applying the perturbation); its whole protection time is
/// shown too. PGD's figure is the clean feature pass that assigns the image its concept plus the PGD steps and the
/// 8-bit rounding; decoding is excluded on both sides. Fitting the concepts (k-means over the set) is shown apart.
/// Also scores both outputs on the surrogate: the concept cross-entropy the attack minimises, clean against protected.
/// </summary>
public sealed class PgdTimingRun(PgdSettings settings, string modelsPath, string? modelVersion, int batch, int pgdRepeat, int engineRepeat)
{
    private readonly List<Measured> measured = [];

    private sealed record Measured(string Path, int Width, int Height, double PgdMs, double GeneratorDeltaMs, double EngineTotalMs);

    public async Task<string> RunAsync(string source, string? subset, int? limit, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (batch < 1 || pgdRepeat < 1 || engineRepeat < 1)
            throw new ArgumentException("--batch, --repeat and --engine-repeat must be at least 1.");
        var files = ImageFiles.Read(source, subset, limit);
        if (files.Count < settings.K)
            throw new InvalidOperationException($"{source}{(subset is null ? "" : $" ({subset})")} gave {files.Count} image(s); K = {settings.K} concepts need at least as many (use --k).");

        var imaging = new ImagingOptions { MaxPixels = 30_000_000, MaxWidth = 10_000, MaxHeight = 10_000, MaxBytes = 200 * 1024 * 1024, MemoryLimitMegabytes = 4096 };
        await using var engine = ProtectionEngineHost.Create(new EngineOptions { Device = "cpu", ModelsPath = modelsPath, ModelVersion = modelVersion }, imaging, new BatchingOptions());
        var codec = engine.Protector.Codec;
        using var surrogate = ResNet18Surrogate.LoadPretrained();
        var pgd = new ConceptPgd(surrogate, settings);

        var images = files.Select(f =>
        {
            using var decoded = codec.Decode(f.Bytes);
            return ImageTensors.FromImage(decoded.Pixels);
        }).ToList();
        log($"{images.Count} images from {source}; {get_num_threads()} torch threads; {settings.Describe()}");

        // The clean feature pass belongs to each image's cost: protecting a new photo needs its concept first.
        var featureMs = new double[images.Count];
        var features = new List<Tensor>();
        for (int i = 0; i < images.Count; i++)
        {
            var clock = Stopwatch.StartNew();
            features.Add(pgd.Features(images[i]));
            featureMs[i] = clock.Elapsed.TotalMilliseconds;
        }
        var fitClock = Stopwatch.StartNew();
        using var all = cat(features, 0);
        var clusters = ConceptClusters.Fit(all, settings.K, settings.Seed, "pgd-baseline timing");
        double fitMs = fitClock.Elapsed.TotalMilliseconds;
        features.ForEach(f => f.Dispose());
        using var objective = new ConceptObjective(clusters, settings.Objective, settings.Temperature, settings.AwayWeight, CPU);
        using var random = new TorchSharp.torch.Generator((ulong)settings.Seed);

        // One PGD call on the first image warms up libtorch's allocator and kernels; it is not counted.
        using (var concept = tensor(new long[] { clusters.Assignments[0] }))
            pgd.Protect(images[0], concept, objective, random).Dispose();

        var pgdMs = new double[images.Count];
        var scores = new List<(double Clean, double Pgd, double Generator, double CleanHit, double PgdHit, double GeneratorHit)>();
        foreach (var chunk in Chunks(images, batch))
        {
            using var scope = NewDisposeScope();
            var clean = cat(chunk.Select(i => images[i]).ToList(), 0);
            var concepts = tensor(chunk.Select(i => (long)clusters.Assignments[i]).ToArray());
            var runs = new List<double>();
            Tensor? protectedLevels = null;
            for (int r = 0; r < pgdRepeat; r++)
            {
                var clock = Stopwatch.StartNew();
                protectedLevels = pgd.Protect(clean, concepts, objective, random);
                runs.Add(clock.Elapsed.TotalMilliseconds);
            }
            foreach (int i in chunk)
                pgdMs[i] = Percentiles.Median(runs) / chunk.Count + featureMs[i];

            var cleanScore = pgd.Score(clean, concepts, objective);
            var pgdScore = pgd.Score(protectedLevels!.to(ScalarType.Float32).div_(255f), concepts, objective);
            for (int k = 0; k < chunk.Count; k++)
            {
                int i = chunk[k];
                var (deltaMs, totalMs, output) = await MeasureEngineAsync(engine, files[i].Bytes);
                using var decodedOutput = codec.DecodeForVerification(output);
                using var generated = ImageTensors.FromImage(decodedOutput);
                var generatorScore = pgd.Score(generated, concepts.narrow(0, k, 1), objective);
                scores.Add((cleanScore[ConceptObjective.CrossEntropy], pgdScore[ConceptObjective.CrossEntropy], generatorScore[ConceptObjective.CrossEntropy],
                    cleanScore[ConceptObjective.Hit], pgdScore[ConceptObjective.Hit], generatorScore[ConceptObjective.Hit]));
                measured.Add(new Measured(files[i].Path, (int)images[i].shape[3], (int)images[i].shape[2], pgdMs[i], deltaMs, totalMs));
            }
            log($"{measured.Count}/{images.Count} images: PGD {measured[^1].PgdMs:0} ms, generator delta {measured[^1].GeneratorDeltaMs:0} ms per image");
        }
        images.ForEach(i => i.Dispose());
        return Markdown(source, subset, engine.Models.Card.Version, engine.Models.Card.Trained, fitMs, scores);
    }

    /// <summary>EngineBench's measurement: one warm-up run dropped, then the median of the repeats.</summary>
    private async Task<(double DeltaMs, double TotalMs, byte[] Output)> MeasureEngineAsync(ProtectionEngineHost engine, byte[] image)
    {
        var delta = new List<double>();
        var total = new List<double>();
        byte[] output = [];
        for (int i = 0; i <= engineRepeat; i++)
        {
            var result = await engine.Protector.ProtectAsync(new MemoryStream(image), new ProtectionOptions { Epsilon = settings.Epsilon });
            output = result.Data;
            if (i == 0)
                continue;
            var t = result.Report.Timings;
            total.Add(t.TotalMs);
            delta.Add(t.TotalMs - t.DecodeMs - t.EncodeMs - t.VerifyMs);
        }
        return (Percentiles.Median(delta), Percentiles.Median(total), output);
    }

    /// <summary>Consecutive images of one size, at most <paramref name="size"/> at a time.</summary>
    private static IEnumerable<List<int>> Chunks(List<Tensor> images, int size)
    {
        var chunk = new List<int>();
        for (int i = 0; i < images.Count; i++)
        {
            if (chunk.Count > 0 && (chunk.Count == size || !images[i].shape.SequenceEqual(images[chunk[0]].shape)))
            {
                yield return chunk;
                chunk = [];
            }
            chunk.Add(i);
        }
        if (chunk.Count > 0)
            yield return chunk;
    }

    private string Markdown(string source, string? subset, string modelVersion, bool trained, double fitMs,
        List<(double Clean, double Pgd, double Generator, double CleanHit, double PgdHit, double GeneratorHit)> scores)
    {
        var inv = CultureInfo.InvariantCulture;
        var sizes = string.Join(", ", measured.GroupBy(m => $"{m.Width}x{m.Height}").Select(g => $"{g.Key} ({g.Count()})"));
        double pgd = measured.Average(m => m.PgdMs), generator = measured.Average(m => m.GeneratorDeltaMs), engineTotal = measured.Average(m => m.EngineTotalMs);
        var text = new StringBuilder();
        text.AppendLine(inv, $"### PGD baseline against the generator: {source}{(subset is null ? "" : $", {subset}")}");
        text.AppendLine();
        text.AppendLine(inv, $"{measured.Count} images, {sizes}; PGD: {settings.Describe()}; PGD batch {batch}, median of {pgdRepeat} run(s) after one warm-up call; "
            + $"engine: model {modelVersion}{(trained ? "" : $" ({ModelCard.UntrainedWarning})")}, median of {engineRepeat} run(s) after one warm-up per image; "
            + $"{Environment.ProcessorCount} cores, {get_num_threads()} torch threads. Concepts fitted in {fitMs:0} ms (k-means over the set, once; not in the per-image figures).");
        text.AppendLine();
        text.AppendLine("| method | mean ms / image | median ms / image | against the generator delta |");
        text.AppendLine("|---|---|---|---|");
        text.AppendLine(inv, $"| generator: delta (canvas + queue + generator + apply) | {generator:0.0} | {Percentiles.Median(measured.Select(m => m.GeneratorDeltaMs)):0.0} | 1.00 |");
        text.AppendLine(inv, $"| generator: whole protection (decode to verified encode) | {engineTotal:0.0} | {Percentiles.Median(measured.Select(m => m.EngineTotalMs)):0.0} | {engineTotal / generator:0.00} |");
        text.AppendLine(inv, $"| PGD, {settings.Steps} steps (clean feature pass + steps + rounding) | {pgd:0.0} | {Percentiles.Median(measured.Select(m => m.PgdMs)):0.0} | **{pgd / generator:0.0}x** |");
        text.AppendLine();
        string aimed = settings.Objective == GeneratorLossKind.Shortcut ? "their own" : "their misdirection target";
        text.AppendLine(inv, $"Surrogate concept cross-entropy toward {aimed} (what PGD minimises) and the fraction of images whose nearest concept is {aimed}:");
        text.AppendLine();
        text.AppendLine("| images | mean cross-entropy | aimed concept nearest |");
        text.AppendLine("|---|---|---|");
        text.AppendLine(inv, $"| clean | {scores.Average(s => s.Clean):0.000} | {scores.Average(s => s.CleanHit):0.00} |");
        text.AppendLine(inv, $"| generator output{(trained ? "" : " (untrained model)")} | {scores.Average(s => s.Generator):0.000} | {scores.Average(s => s.GeneratorHit):0.00} |");
        text.AppendLine(inv, $"| PGD output (8-bit) | {scores.Average(s => s.Pgd):0.000} | {scores.Average(s => s.PgdHit):0.00} |");
        return text.ToString();
    }
}
