using System.Globalization;
using System.Text;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.Bench.Training;

/// <summary>
/// Generator training throughput (issue #6, item 5): images per second of <see cref="GeneratorTrainer"/> (the owner
/// texture's min-min) at each size.
/// <code>
/// training-bench [--data ../shared/data/kodak24.tar] [--subset P] [--max-images N] [--sizes 128,224] [--steps 30] [--batch 64]
///     [--out FILE.md]
/// </code>
/// Each size trains a fresh generator for --steps steps into a scratch registry that is deleted afterwards; nothing is
/// checkpointed. Exit codes: 0 done, 1 failed, 2 bad usage.
/// </summary>
public static class TrainingBenchMain
{
    public static async Task<int> Main(string[] args)
    {
        NativeAllocator.KeepFreedMemory();   // as uploadguard does, so the figures are the CLI's
        var arguments = new BenchArguments(args);
        string scratch = Directory.CreateTempSubdirectory("uploadguard-training-bench-").FullName;
        try
        {
            string data = arguments.Value("--data", "../shared/data/kodak24.tar");
            string? subset = arguments.Optional("--subset");
            int? maxImages = arguments.OptionalWholeNumber("--max-images");
            var sizes = arguments.WholeNumbers("--sizes", [128, 224]);
            int steps = arguments.WholeNumber("--steps", 30);
            int batch = arguments.WholeNumber("--batch", new GeneratorTrainingOptions { DataSource = "", ModelsPath = "" }.BatchSize);
            string? output = arguments.Optional("--out");
            arguments.ThrowIfUnknown();
            if (steps < 2)
                throw new ArgumentException("--steps must be at least 2 (the first step is warm-up and is not timed).");

            var results = new List<TrainingThroughput.Result>();
            foreach (int size in sizes)
            {
                var options = new GeneratorTrainingOptions
                {
                    DataSource = data,
                    Subset = subset,
                    MaxImages = maxImages,
                    ImageSize = size,
                    Steps = steps,
                    BatchSize = batch,
                    Device = "cpu",
                    ModelsPath = scratch,
                    Version = string.Create(CultureInfo.InvariantCulture, $"bench-{size}"),
                };
                results.Add(await TrainingThroughput.MeasureAsync(options, Console.Error.WriteLine));
            }

            var inv = CultureInfo.InvariantCulture;
            var text = new StringBuilder();
            text.AppendLine(inv, $"### Generator training throughput: {data}{(subset is null ? "" : $", {subset}")}");
            text.AppendLine();
            text.AppendLine(inv, $"GeneratorTrainer with the `uploadguard train` defaults (owner texture, min-min against stand-in victims), batch {batch}, "
                + $"{steps} steps per size, the first not timed; {Environment.ProcessorCount} cores, {get_num_threads()} torch threads, CPU.");
            text.AppendLine();
            text.AppendLine("| training size | stand-in victims | images | steps timed | mean step s | images/s | until the first step ended, s | whole run, s |");
            text.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var r in results)
            {
                text.AppendLine(inv, $"| {r.Size} px | {r.ProxySize} px | {r.Images} | {r.StepsTimed} | {r.MeanStepSeconds:0.000} | **{r.ImagesPerSecond:0.0}** | "
                    + $"{r.FirstStepSeconds:0.0} | {r.TotalSeconds:0.0} |");
            }
            Console.WriteLine(text);
            if (output is not null)
                await File.WriteAllTextAsync(output, text.ToString());
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync($"training-bench: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException)
        {
            await Console.Error.WriteLineAsync($"training-bench: {ex.Message}");
            return 1;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
