using System.Globalization;
using System.Text;

namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>An identity benchmark result as Markdown for docs/evaluation.md, headed by the command that produced it.</summary>
public static class IdentityMarkdown
{
    /// <summary>
    /// An owner's accuracy the victim-seed summary counts as low: about a quarter of what the clean runs give the 12
    /// people (80-100 %), the per-owner reading of the target docs/evaluation.md uses.
    /// </summary>
    public const double LowOwnerAccuracy = 0.25;

    public static string Write(IdentityResult result, string command)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"```bash\n{command}\n```");
        text.AppendLine();
        text.AppendLine(c, $"- Data: {result.DataSource}, {result.People.Count} people, {result.TrainImages:N0} training and {result.TestImages:N0} clean test photos at {result.PhotoSize} px; owners (seed {result.Seed}): {string.Join(", ", result.Owners)}{(result.KeySeed != result.Seed ? $"; keys from secret seed {result.KeySeed}" : "")}.");
        text.AppendLine(c, $"- Attacker: a face box of about {result.FaceBox} px (85-115 %, centre jittered per photo), resized to {result.VictimSize} px; victims trained from scratch on everyone, tested on everyone's clean test photos.");
        if (result.ModelVersion is not null)
        {
            string warning = result.ModelWarning is { } w ? $": **{w}**." : ".";
            text.AppendLine(c, $"- Model: {result.ModelVersion}, epsilon {result.Epsilon}, each owner's photos protected with that owner's key through the engine at full size{warning}");
        }
        if (result.ProtectedQuality is { } q)
            text.AppendLine(c, $"- The owners' protected photos against the clean ones at {q.Size} px: PSNR {Db(q.PsnrDb)}, SSIM {(q.Ssim is { } s ? s.ToString("0.0000", c) : "n/a")}, largest change {q.MaxAbsDifference} levels.");
        if (result.OwnerPsnrDb is { } psnr)
            text.AppendLine(c, $"- PSNR of each owner's protected photos: {string.Join("; ", psnr.Select(p => $"{p.Key} {p.Value:0.00} dB"))}.");
        if (result.OwnerAtoms is { } atoms)
            text.AppendLine(c, $"- Texture atoms of the owners' keys: {string.Join("; ", atoms.Select(a => $"{a.Key} {string.Join(", ", a.Value)}"))}.");
        if (result.Removal is { } r)
            text.AppendLine(c, $"- Removal by the key holder: texture found in {r.Found}/{r.Photos} photos, {r.WithinOneLevel * 100:0.00} % of values within one level of clean, {r.AppliedLeft * 100:0.00} % of the applied change left; another owner's key found a texture in {r.WrongKeyFound}.");
        var recipe = result.Recipe;
        text.AppendLine(c, $"- Recipe: {recipe.Epochs} epochs, batch {recipe.BatchSize}, SGD Nesterov, one-cycle peak {recipe.PeakLearningRate}, crops + flips; machine: {result.Machine}; started {result.Started:yyyy-MM-dd HH:mm} UTC, {result.Elapsed.TotalMinutes:0.0} min in all.");
        text.AppendLine();
        text.AppendLine("| Training set | Victim | Victim seed | Owners (their clean test photos) | Other people | All | Others named as an owner | Per owner | Note |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var run in result.Runs)
        {
            string perOwner = string.Join(", ", run.PerOwner.Select(p => string.Create(c, $"{p.Key} {p.Value * 100:0.0} %")));
            text.AppendLine(c, $"| {run.Row} | {run.Architecture} | {run.VictimSeed} | {run.OwnersAccuracy * 100:0.0} % | {run.OthersAccuracy * 100:0.0} % | {run.AllAccuracy * 100:0.0} % | {run.OthersNamedAsOwner * 100:0.0} % | {perOwner} | {run.Note} |");
        }
        var groups = result.Runs.GroupBy(r => (r.Row, r.Architecture)).ToList();
        var repeated = groups.Where(g => g.Count() > 1).ToList();
        if (repeated.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(c, $"Over the victim seeds (mean, lowest-highest; an owner's result counts as low at most {LowOwnerAccuracy * 100:0} %):");
            text.AppendLine();
            text.AppendLine("| Training set | Victim | Victims | Owners | Owner results low | Other people |");
            text.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var group in repeated)
            {
                var ownerResults = group.SelectMany(r => r.PerOwner.Values).ToList();
                text.AppendLine(c, $"| {group.Key.Row} | {group.Key.Architecture} | {group.Count()} | {Spread(group.Select(r => r.OwnersAccuracy))} | {ownerResults.Count(a => a <= LowOwnerAccuracy)} of {ownerResults.Count} | {Spread(group.Select(r => r.OthersAccuracy))} |");
            }
        }
        if (groups.Any(g => g.Count() == 1))
        {
            text.AppendLine();
            text.AppendLine("One victim per row is one sample: whether a victim learns an owner's texture instead of the face can turn on its seed "
                + "or on a few pixel values of the training photos (docs/evaluation.md, \"One victim is one sample\"); `--victim-seeds N` trains N.");
        }
        WritePerPerson(text, result);
        return text.ToString();
    }

    /// <summary>
    /// One row per person, one column per victim: the others' pooled accuracy weighs people by their test photos, so
    /// whom a protected row costs shows only person by person.
    /// </summary>
    private static void WritePerPerson(StringBuilder text, IdentityResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var owners = result.Owners.ToHashSet();
        text.AppendLine();
        text.AppendLine("Each person's accuracy on their own clean test photos (owners in bold), one column per victim:");
        text.AppendLine();
        text.AppendLine(c, $"| Person | {string.Join(" | ", result.Runs.Select(r => $"{r.Row} / {r.Architecture} / {r.VictimSeed}"))} |");
        text.AppendLine(c, $"|---|{string.Concat(result.Runs.Select(_ => "---:|"))}");
        foreach (string person in result.People)
        {
            string name = owners.Contains(person) ? $"**{person}**" : person;
            text.AppendLine(c, $"| {name} | {string.Join(" | ", result.Runs.Select(r => double.IsNaN(r.PerPerson[person]) ? "-" : string.Create(c, $"{r.PerPerson[person] * 100:0.0} %")))} |");
        }
    }

    private static string Spread(IEnumerable<double> fractions)
    {
        var values = fractions.ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{values.Average() * 100:0.0} % ({values.Min() * 100:0.0}-{values.Max() * 100:0.0})");
    }

    private static string Db(double? psnr) => psnr is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.00} dB") : "identical";
}
