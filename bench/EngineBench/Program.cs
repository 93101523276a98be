// Engine benchmark: per-image protection time split into stages, against the codec floor (decode + encode of the
// same image with no protection, in the same run), and time against megapixels. Writes Markdown tables to stdout.
//
//   dotnet run --project bench/EngineBench -c Release -- folders <dir> [<dir>...] [--repeat 3] [--model VERSION]
//   dotnet run --project bench/EngineBench -c Release -- scaling [--repeat 3] [--model VERSION]
//   dotnet run --project bench/EngineBench -c Release -- removal <dir> [--epsilon N] [--model VERSION] [--format png|jpeg]
//   dotnet run --project bench/EngineBench -c Release -- jpeg <dir> [<dir>...] [--epsilon 8] [--model VERSION]
//   dotnet run --project bench/EngineBench -c Release -- atoms [--model VERSION]
//   dotnet run --project bench/EngineBench -c Release -- texture --owners A,B [--secret TEXT] [--size 250] [--epsilon N] [--model VERSION]
//   dotnet run --project bench/EngineBench -c Release -- keys [--owners 200] [--epsilon N] [--model VERSION]
// --model picks a version from models/ (--models DIR for another registry; default: the registry's active one); speed
// depends on its working size only. An owner-keyed model protects with the key of the owner "bench-owner" under a fixed
// benchmark secret. removal protects each photo as PNG (or JPEG), then has the key holder take the perturbation off and
// five other owners try: how exactly it is restored, how much of the applied change is left, and how far the right
// key's match stands above the wrong keys'.
// jpeg makes each photo a JPEG source at q75/q90/q95, 4:2:0 and 4:4:4, protects it as JPEG with and without the
// re-projection rounds, and measures the decoded L-infinity with the engine's decoder and libjpeg's djpeg
// (docs/protection.md's table; JpegBudget.cs). atoms lists an owner-keyed model's texture atoms by the share of their
// power at periods of 4 canvas pixels or less (docs/evaluation.md tested, and withdrew, the idea that keys with two
// high-frequency atoms are the ones not protected). texture protects a flat grey photo for each owner under the secret
// (default: the fixed benchmark secret) and measures the change's RMS at full size and after halving (TextureReach.cs;
// docs/evaluation.md, "what decides a draw"). keys protects a flat grey photo for each of N owners and looks for every
// other owner's key in it with the remover's bars: how often two owners' textures collide (KeyCollisions.cs).
using System.Diagnostics;
using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

const string Usage = """
    usage: EngineBench folders <dir> [<dir>...] [--repeat 3] [--model VERSION] [--models DIR]
           EngineBench scaling [--repeat 3] [--model VERSION] [--models DIR]
           EngineBench removal <dir> [--epsilon N] [--model VERSION] [--models DIR] [--format png|jpeg]
           EngineBench jpeg <dir> [<dir>...] [--epsilon 8] [--model VERSION] [--models DIR]
           EngineBench atoms [--model VERSION] [--models DIR]
           EngineBench texture --owners A,B [--secret TEXT] [--size 250] [--epsilon N] [--model VERSION] [--models DIR]
           EngineBench keys [--owners 200] [--epsilon N] [--model VERSION] [--models DIR]
    """;
var mode = args.FirstOrDefault() ?? "folders";
bool help = args.Any(a => a is "--help" or "-h");
if (help || mode is not ("folders" or "scaling" or "removal" or "jpeg" or "atoms" or "texture" or "keys"))
{
    if (!help)
        Console.Error.WriteLine($"Unknown mode '{mode}'.");
    Console.Error.WriteLine(Usage);
    return help ? 0 : 2;
}
// The photo folders: every argument after the mode up to the first option.
var folders = args.Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var missing = folders.Where(d => !Directory.Exists(d)).ToList();
if (mode is not ("scaling" or "atoms" or "texture" or "keys") && (folders.Count == 0 || missing.Count > 0))
{
    Console.Error.WriteLine(folders.Count == 0 ? $"'{mode}' needs a folder of photos." : $"No such folder: {string.Join(", ", missing)}.");
    Console.Error.WriteLine(Usage);
    return 2;
}
int repeat = args.SkipWhile(a => a != "--repeat").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(3);
var imaging = new ImagingOptions { MaxPixels = 30_000_000, MaxWidth = 10_000, MaxHeight = 10_000, MaxBytes = 200 * 1024 * 1024, MemoryLimitMegabytes = 4096 };
string? model = args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault();
string models = args.SkipWhile(a => a != "--models").Skip(1).FirstOrDefault() ?? EngineOptions.DefaultModelsPath;
await using var engine = ProtectionEngineHost.Create(new EngineOptions { Device = "cpu", ModelVersion = model, ModelsPath = models }, imaging, new BatchingOptions());
var keyring = new OwnerKeyring("uploadguard engine benchmark owner-key secret, fixed on purpose");
var protection = new ProtectionOptions { Owner = engine.Models.Card.Architecture.IsOwnerKeyed ? keyring.Derive("bench-owner") : null };
var codec = engine.Protector.Codec;
Console.WriteLine($"Model {engine.Models.Card.Version} (trained: {engine.Models.Card.Trained}), working size {engine.Models.Card.WorkingSize}, {Environment.ProcessorCount} cores, {repeat} runs per image (median)");
Console.WriteLine();

int? requestedEpsilon = args.SkipWhile(a => a != "--epsilon").Skip(1).Select(a => (int?)int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault();

if (mode == "jpeg")
{
    int epsilon = requestedEpsilon ?? 8;
    await using var single = ProtectionEngineHost.Create(new EngineOptions { Device = "cpu", ModelVersion = model, ModelsPath = models },
        new ImagingOptions { MaxPixels = imaging.MaxPixels, MaxWidth = imaging.MaxWidth, MaxHeight = imaging.MaxHeight, MaxBytes = imaging.MaxBytes, JpegReprojectionRounds = 0 },
        new BatchingOptions());
    await UploadGuard.Bench.Engine.JpegBudget.RunAsync(folders,
        engine, single, protection with { Epsilon = epsilon, Format = OutputFormat.Jpeg });
    return 0;
}

if (mode == "removal")
{
    if (!engine.Models.Card.Architecture.IsOwnerKeyed)
    {
        Console.Error.WriteLine($"{engine.Models.Card.Version} is not owner-keyed: there is nothing to remove. Pick an owner-keyed model with --model.");
        return 2;
    }
    var folder = folders[0];
    string formatName = args.SkipWhile(a => a != "--format").Skip(1).FirstOrDefault() ?? "png";
    if (formatName is not ("png" or "jpeg"))
    {
        Console.Error.WriteLine($"--format must be png or jpeg, not '{formatName}'.");
        return 2;
    }
    var outputFormat = formatName == "jpeg" ? OutputFormat.Jpeg : OutputFormat.Png;
    Console.WriteLine($"Protected as {formatName.ToUpperInvariant()}. Applied left: the share of the applied change (protected minus clean) still in the removed photo, by projection onto it (0 % when all of it came off; negative when more came off). Matches of a few-grating texture give in brackets the weakest grating's amplitude relative to the whole texture's (bars: {PerturbationRemover.MinimumCorrelation:0.00} whole, {PerturbationRemover.MinimumGratingShare:0.00} per grating).");
    Console.WriteLine();
    Console.WriteLine("| photo | PSNR dB | match, right key | best match, 5 other owners | values within 1 level after removal | exact | applied left |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    var within = new List<double>();
    var left = new List<double>();
    int found = 0, wrongFound = 0, count = 0;
    foreach (var file in Directory.EnumerateFiles(folder).Order())
    {
        var original = File.ReadAllBytes(file);
        var result = await engine.Protector.ProtectAsync(new MemoryStream(original), protection with { Epsilon = requestedEpsilon, Format = outputFormat });
        using var protectedImage = codec.DecodeForVerification(result.Data);
        using var asProtected = protectedImage.Clone();
        using var lease = engine.Models.Acquire();
        var generator = (OwnerTextureGenerator)lease.Model.Generator;
        var others = Enumerable.Range(1, 5).SelectMany(i => keyring.DeriveAll($"other-owner-{i}")).ToList();
        // The budget the photo was protected with: the model's default unless --epsilon set one.
        int budget = result.Report.Epsilon;
        var wrong = PerturbationRemover.Detect(protectedImage, generator, lease.Model.Card.WorkingSize, budget, others);
        var match = PerturbationRemover.Remove(protectedImage, generator, lease.Model.Card.WorkingSize, budget, false, keyring.DeriveAll("bench-owner"));
        using var clean = codec.DecodeForVerification(original);
        var residue = new RemovalResidue();
        for (int y = 0; y < clean.Height; y++)
        {
            for (int x = 0; x < clean.Width; x++)
            {
                var (a, removed, p) = (clean[x, y], protectedImage[x, y], asProtected[x, y]);
                residue.Add(a.R, p.R, removed.R);
                residue.Add(a.G, p.G, removed.G);
                residue.Add(a.B, p.B, removed.B);
            }
        }
        double share = match.Found ? residue.WithinOneLevel : 0;
        double appliedLeft = residue.AppliedLeft;
        within.Add(share);
        if (match.Found)
            left.Add(appliedLeft);
        found += match.Found ? 1 : 0;
        wrongFound += wrong.Found ? 1 : 0;
        count++;
        Console.WriteLine($"| {Path.GetFileName(file)} | {result.Report.PsnrDb:0.00} | {Describe(match)} | {Describe(wrong)} | {(match.Found ? share.ToString("P2", CultureInfo.InvariantCulture) : "not found")} | {(match.Found ? residue.Exact.ToString("P2", CultureInfo.InvariantCulture) : "-")} | {(match.Found ? appliedLeft.ToString("P2", CultureInfo.InvariantCulture) : "-")} |");
    }
    Console.WriteLine();
    static string Describe(TextureMatch m) => m.WeakestGrating is double weakest ? $"{m.Correlation:0.00} ({weakest:0.00})" : $"{m.Correlation:0.00}";
    Console.WriteLine($"Found with the right key: {found}/{count}; with a wrong key: {wrongFound}/{count}; values within 1 level (photos not found count as 0): mean {within.Average():P2}, worst {within.Min():P2}; applied change left (photos found): mean {(left.Count > 0 ? left.Average() : double.NaN):P2}");
    return 0;
}

if (mode == "keys")
{
    int owners = args.SkipWhile(a => a != "--owners").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(200);
    if (!engine.Models.Card.Architecture.IsOwnerKeyed || owners < 2)
    {
        Console.Error.WriteLine("keys needs an owner-keyed model (--model) and --owners of at least 2.");
        return 2;
    }
    await UploadGuard.Bench.Engine.KeyCollisions.RunAsync(engine, keyring, owners, requestedEpsilon);
    return 0;
}

if (mode == "texture")
{
    var owners = args.SkipWhile(a => a != "--owners").Skip(1).FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    if (!engine.Models.Card.Architecture.IsOwnerKeyed || owners is not { Length: > 0 })
    {
        Console.Error.WriteLine("texture needs an owner-keyed model (--model) and --owners A,B,...");
        return 2;
    }
    var secret = args.SkipWhile(a => a != "--secret").Skip(1).FirstOrDefault();
    int size = args.SkipWhile(a => a != "--size").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(250);
    int? textureEpsilon = args.SkipWhile(a => a != "--epsilon").Skip(1).Select(a => (int?)int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault();
    await UploadGuard.Bench.Engine.TextureReach.RunAsync(engine, secret is null ? keyring : new OwnerKeyring(secret), owners, size, textureEpsilon);
    return 0;
}

if (mode == "atoms")
{
    using var lease = engine.Models.Acquire();
    if (lease.Model.Generator is not OwnerTextureGenerator keyed)
    {
        Console.Error.WriteLine($"{engine.Models.Card.Version} is not owner-keyed: it has no texture atoms. Pick an owner-keyed model with --model.");
        return 2;
    }
    Console.WriteLine("High-frequency share: the part of an atom's power (mean removed, all its channels) at 4 or more cycles per 16-pixel period, i.e. periods of 4 canvas pixels or less.");
    Console.WriteLine();
    Console.WriteLine("| atom | power | high-frequency share |");
    Console.WriteLine("|---:|---:|---:|");
    var shares = UploadGuard.Bench.Engine.AtomSpectrum.HighFrequencyShares(keyed.parameters().Single().data<float>().ToArray(), keyed.AtomCount, OwnerTextureGenerator.Period, minimumRadius: 4);
    foreach (var (atom, power, share) in shares.OrderBy(a => a.Share))
        Console.WriteLine($"| {atom} | {power:0} | {share:0.00} |");
    Console.WriteLine();
    Console.WriteLine($"{shares.Count(a => a.Share < 0.5)} of {shares.Count} atoms have a high-frequency share under 0.5.");
    return 0;
}

if (mode == "scaling")
{
    Console.WriteLine("| megapixels | size | codec floor ms | protect ms | delta ms (resize+generator+apply) | ratio |");
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach (double mp in new[] { 0.1, 0.5, 1, 2, 4, 8, 12, 24 })
    {
        int width = (int)Math.Round(Math.Sqrt(mp * 1e6 * 4 / 3)), height = (int)Math.Round(width * 3 / 4.0);
        var png = SyntheticPng(width, height);
        var (floor, protect, delta, _) = Measure(png);
        Console.WriteLine($"| {mp:0.0} | {width}x{height} | {floor:0} | {protect:0} | {delta:0} | {protect / floor:0.00} |");
    }
    return 0;
}

foreach (var folder in folders)
{
    var files = Directory.EnumerateFiles(folder).Where(f => ImageFormatSniffer.DetectSupported(File.ReadAllBytes(f).AsSpan(0, 16)) is not null).Order().ToList();
    var rows = files.Select(f => Measure(File.ReadAllBytes(f))).ToList();
    Console.WriteLine($"### {folder} ({files.Count} images)");
    Console.WriteLine();
    Console.WriteLine("| measure | mean ms | median ms |");
    Console.WriteLine("|---|---|---|");
    Row("codec floor (decode + encode)", rows.Select(r => r.Floor));
    Row("protect (whole pipeline)", rows.Select(r => r.Protect));
    Row("delta (canvas + generator + apply)", rows.Select(r => r.Delta));
    Console.WriteLine($"| ratio protect / codec floor | {rows.Average(r => r.Protect) / rows.Average(r => r.Floor):0.00} | |");
    Console.WriteLine();
    // Where the protect time goes: every timed run's stages (the engine's own StageTimings), averaged.
    var stages = rows.SelectMany(r => r.Stages).ToList();
    Console.WriteLine("| stage | mean ms | share of protect |");
    Console.WriteLine("|---|---|---|");
    double total = stages.Average(t => t.TotalMs);
    void Stage(string name, Func<StageTimings, double> of) => Console.WriteLine($"| {name} | {stages.Average(of):0.0} | {stages.Average(of) / total:P0} |");
    Stage("decode", t => t.DecodeMs);
    Stage("working canvas and other", t => t.TotalMs - t.DecodeMs - t.QueueMs - t.GeneratorMs - t.ApplyMs - t.EncodeMs - t.VerifyMs);
    Stage("queue", t => t.QueueMs);
    Stage("generator", t => t.GeneratorMs);
    Stage("apply (upsample + project)", t => t.ApplyMs);
    Stage("encode", t => t.EncodeMs);
    Stage("verify (decode of the output)", t => t.VerifyMs);
    Console.WriteLine();
}
return 0;

(double Floor, double Protect, double Delta, List<StageTimings> Stages) Measure(byte[] image)
{
    var stages = new List<StageTimings>();
    var floor = new List<double>();
    var protect = new List<double>();
    var delta = new List<double>();
    for (int i = 0; i <= repeat; i++)   // run 0 warms up and is dropped
    {
        var clock = Stopwatch.StartNew();
        using (var decoded = codec.Decode(image))
            codec.Encode(decoded.Pixels, decoded.Source, decoded.Source.Format);
        var floorMs = clock.Elapsed.TotalMilliseconds;

        var report = engine.Protector.ProtectAsync(new MemoryStream(image), protection).GetAwaiter().GetResult().Report;
        if (i == 0) continue;
        stages.Add(report.Timings);
        floor.Add(floorMs);
        protect.Add(report.Timings.TotalMs);
        delta.Add(report.Timings.TotalMs - report.Timings.DecodeMs - report.Timings.EncodeMs - report.Timings.VerifyMs);
    }
    return (Median(floor), Median(protect), Median(delta), stages);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static void Row(string name, IEnumerable<double> values)
{
    var list = values.ToList();
    Console.WriteLine($"| {name} | {list.Average():0.0} | {Median(list):0.0} |");
}

static byte[] SyntheticPng(int width, int height)
{
    using var image = new Image<Rgb24>(width, height);
    var random = new Random(1);
    image.ProcessPixelRows(rows =>
    {
        for (int y = 0; y < rows.Height; y++)
        {
            var row = rows.GetRowSpan(y);
            for (int x = 0; x < row.Length; x++)
                row[x] = new Rgb24((byte)(x * 7 + random.Next(16)), (byte)(y * 3 + random.Next(16)), (byte)((x + y) / 5));
        }
    });
    using var stream = new MemoryStream();
    image.SaveAsPng(stream);
    return stream.ToArray();
}
