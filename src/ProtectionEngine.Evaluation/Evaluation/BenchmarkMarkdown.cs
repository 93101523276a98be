using System.Globalization;
using System.Text;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>A benchmark result as Markdown tables for docs/evaluation.md, headed by the command that produced it.</summary>
public static class BenchmarkMarkdown
{
    public static string Write(BenchmarkResult result, string command)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var architectures = result.Runs.Select(r => r.Architecture).Distinct().ToList();
        var rows = result.Runs.Select(r => r.Row).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine(c, $"```bash\n{command}\n```");
        text.AppendLine();
        string perClass = result.PerClass is { } n ? $"{n:N0} per class, " : "";
        string resized = result.ProtectSize != result.Size ? string.Create(c, $", training images protected at {result.ProtectSize} px then resized") : "";
        text.AppendLine(c, $"- Data: {result.DataSource}, train `{result.TrainSubset}` ({perClass}{result.TrainImages:N0} images), test `{result.TestSubset}` ({result.TestImages:N0} clean images), {result.Classes.Count} classes; victims at {result.Size} px{resized}.");
        if (result.ModelVersion is not null)
        {
            string warning = result.ModelWarning is { } w ? $": **{w}**." : ".";
            text.AppendLine(c, $"- Model: {result.ModelVersion} (working size {result.ModelWorkingSize} px, epsilon {result.Epsilon}){warning}");
        }
        var recipe = result.Recipe;
        text.AppendLine(c, $"- Recipe: {recipe.Epochs} epochs, batch {recipe.BatchSize}, SGD Nesterov momentum {recipe.Momentum}, weight decay {recipe.WeightDecay}, one-cycle peak {recipe.PeakLearningRate}, reflect-pad {recipe.CropPadding(result.Size)} px crops + flips per sample; seed {result.Seed}.");
        string protecting = result.ProtectionTime is { } p ? string.Create(c, $" ({p.TotalMinutes:0.0} min protecting)") : "";
        text.AppendLine(c, $"- Machine: {result.Machine}; started {result.Started:yyyy-MM-dd HH:mm} UTC, {result.Elapsed.TotalMinutes:0.0} min in all{protecting}.");
        if (result.ProtectedQuality is { } q)
            text.AppendLine(c, $"- Protected images at {q.Size} px against the clean ones: PSNR {Db(q.PsnrDb)}, SSIM {Ssim(q.Ssim)}, largest change {q.MaxAbsDifference} levels.");
        text.AppendLine();

        text.Append("| Training set |");
        foreach (var a in architectures)
            text.Append(c, $" {a} |");
        text.AppendLine(" PSNR vs clean | SSIM vs clean | Note |");
        text.Append("|---|");
        foreach (var _ in architectures)
            text.Append("---:|");
        text.AppendLine("---:|---:|---|");
        foreach (var row in rows)
        {
            text.Append(c, $"| {row} |");
            foreach (var a in architectures)
            {
                var run = result.Runs.FirstOrDefault(r => r.Row == row && r.Architecture == a);
                text.Append(run is null ? " not run |" : string.Create(c, $" {run.Result.TestAccuracy * 100:0.0} % |"));
            }
            var quality = result.TrainingSetQuality.GetValueOrDefault(row);
            string note = result.Runs.FirstOrDefault(r => r.Row == row)?.Note ?? "";
            text.AppendLine(c, $" {Db(quality?.PsnrDb)} | {Ssim(quality?.Ssim)} | {note} |");
        }
        text.AppendLine();
        text.AppendLine("| Training set | Architecture | Test accuracy | Last-epoch train loss | Last-epoch train accuracy | Time (train + test) | Training per epoch |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var run in result.Runs)
        {
            var r = run.Result;
            text.AppendLine(c, $"| {run.Row} | {run.Architecture} | {r.TestAccuracy * 100:0.0} % | {r.FinalTrainLoss:0.000} | {r.FinalTrainAccuracy * 100:0.0} % | {r.Elapsed.TotalMinutes:0.0} min | {r.SecondsPerEpoch:0} s |");
        }
        return text.ToString();
    }

    private static string Db(double? psnr) => psnr is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.00} dB") : "identical";

    private static string Ssim(double? ssim) => ssim is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";
}
