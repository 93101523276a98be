using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.Cli.Tests.Support;
using UploadGuard.Tests.Common;

namespace UploadGuard.Cli.Tests.Commands;

/// <summary>
/// protect --owner, unprotect and eval identity with an owner-keyed model made by <c>train --architecture owner-texture</c>
/// (two steps: the atoms are as good as random, which is all these tests need: the key, the offset and the removal are
/// the same code whatever the atoms are).
/// </summary>
public sealed class OwnerKeyCommandTests : IAsyncLifetime
{
    private const string Secret = "owner-key secret for the CLI tests, long enough to pass";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "uploadguard-cli-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _withSecret = new() { ["UPLOADGUARD_OWNER_SECRET"] = Secret };

    private string Models => Path.Combine(_work, "models");

    public async Task InitializeAsync()
    {
        var photos = Directory.CreateDirectory(Path.Combine(_work, "train-photos")).FullName;
        for (int i = 0; i < 12; i++)
            WritePhoto(Path.Combine(photos, $"{i}.png"), 40, 40, i);
        var train = await CliProcess.RunAsync("train", "--data", photos, "--architecture", "owner-texture", "--size", "64", "--proxy-size", "32",
            "--pseudo-owners", "2", "--steps", "2", "--batch", "4", "--version", "cli-keyed", "--models", Models, "--activate", "--device", "cpu");
        Assert.True(train.ExitCode == 0, train.Output);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_key_holder_unprotects_what_protect_made_and_another_owner_gets_nothing()
    {
        var original = Path.Combine(_work, "photo.png");
        WritePhoto(original, 320, 240, seed: 5);
        var protectedPath = Path.Combine(_work, "protected.png");

        var protect = await CliProcess.RunAsync(_withSecret, "protect", original, "-o", protectedPath, "--owner", "alice", "--models", Models,
            "--report", Path.Combine(_work, "report.json"));
        Assert.True(protect.ExitCode == 0, protect.Output);
        Assert.Contains("Owner key k-", protect.Output);
        string report = await File.ReadAllTextAsync(Path.Combine(_work, "report.json"));
        Assert.Contains("\"ownerKeyId\": \"k-", report);
        Assert.DoesNotContain("alice", report);

        var wrong = await CliProcess.RunAsync(_withSecret, "unprotect", protectedPath, "-o", Path.Combine(_work, "bob.png"), "--owner", "bob", "--models", Models);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("not in this photo", Flatten(wrong.Output));
        Assert.False(File.Exists(Path.Combine(_work, "bob.png")));

        var restoredPath = Path.Combine(_work, "restored.png");
        var right = await CliProcess.RunAsync(_withSecret, "unprotect", protectedPath, "-o", restoredPath, "--owner", "alice", "--models", Models);
        Assert.True(right.ExitCode == 0, right.Output);
        using var before = Image.Load<Rgba32>(original);
        using var after = Image.Load<Rgba32>(restoredPath);
        using var perturbed = Image.Load<Rgba32>(protectedPath);
        double restored = PixelDifference.ShareWithinOneLevel(before, after);
        Assert.True(restored >= 0.99, $"restored: {restored:P2} within one level");
        Assert.True(PixelDifference.ShareWithinOneLevel(before, perturbed) < 0.9, "the protected photo itself was barely changed, so the test proves nothing");
    }

    [Fact]
    public async Task A_keyed_model_without_an_owner_is_a_usage_error()
    {
        var photo = Path.Combine(_work, "photo.png");
        WritePhoto(photo, 64, 48, seed: 1);

        var result = await CliProcess.RunAsync(_withSecret, "protect", photo, "-o", Path.Combine(_work, "out.png"), "--models", Models);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("give --owner", Flatten(result.Output));
        Assert.False(File.Exists(Path.Combine(_work, "out.png")));
    }

    [Fact]
    public async Task Without_a_secret_one_is_created_in_the_users_configuration_folder_and_reused()
    {
        var photo = Path.Combine(_work, "photo.png");
        WritePhoto(photo, 64, 48, seed: 1);
        var home = Directory.CreateDirectory(Path.Combine(_work, "home")).FullName;
        var environment = new Dictionary<string, string?> { ["UPLOADGUARD_OWNER_SECRET"] = null, ["HOME"] = home, ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config") };

        var first = await CliProcess.RunAsync(environment, "protect", photo, "-o", Path.Combine(_work, "a.png"), "--owner", "alice", "--models", Models);
        var second = await CliProcess.RunAsync(environment, "protect", photo, "-o", Path.Combine(_work, "b.png"), "--owner", "alice", "--models", Models);

        Assert.True(first.ExitCode == 0, first.Output);
        var secretFile = Path.Combine(home, ".config", "uploadguard", "owner-secret");
        Assert.True(File.Exists(secretFile));
        Assert.Contains("Created a new owner-key secret", Flatten(first.Output));
        Assert.DoesNotContain("Created a new owner-key secret", Flatten(second.Output));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_work, "a.png")), await File.ReadAllBytesAsync(Path.Combine(_work, "b.png")));
    }

    [Fact]
    public async Task Eval_identity_protects_the_owners_with_their_keys_and_reports_owners_and_others()
    {
        var people = WritePeople("people", people: 4, photos: 10, size: 96);
        var json = Path.Combine(_work, "identity.json");
        var markdown = Path.Combine(_work, "identity.md");

        var result = await CliProcess.RunAsync("eval", "identity", "--data", people, "--min-photos", "10", "--owners", "1", "--photo-size", "96",
            "--face-box", "64", "--size", "16", "--model", "cli-keyed", "--models", Models, "--rows", "clean,protected,averaging,removed,coverage-50,clean-without-owners",
            "--epochs", "1", "--batch", "8", "--device", "cpu", "--protect-format", "png", "--out", json, "--markdown", markdown);

        Assert.True(result.ExitCode == 0, result.Output);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = document.RootElement;
        Assert.Equal(4, root.GetProperty("people").GetArrayLength());
        Assert.Equal(1, root.GetProperty("owners").GetArrayLength());
        Assert.Equal(28, root.GetProperty("trainImages").GetInt32());   // floor(0.7 x 10) of each person's 10
        Assert.Equal(root.GetProperty("seed").GetInt32(), root.GetProperty("keySeed").GetInt32());
        var atoms = Assert.Single(root.GetProperty("ownerAtoms").EnumerateObject());
        // One owner: their PSNR is that of all the protected photos.
        var ownerPsnr = Assert.Single(root.GetProperty("ownerPsnrDb").EnumerateObject());
        Assert.Equal(atoms.Name, ownerPsnr.Name);
        Assert.Equal(root.GetProperty("protectedQuality").GetProperty("psnrDb").GetDouble(), ownerPsnr.Value.GetDouble(), 6);
        Assert.Equal(root.GetProperty("owners")[0].GetString(), atoms.Name);
        Assert.Equal(2, atoms.Value.GetArrayLength());
        var removal = root.GetProperty("removal");
        Assert.Equal(7, removal.GetProperty("photos").GetInt32());
        // A photo whose texture was not found keeps all of its change; found ones lose it (PNG out: exactly, but for clipping).
        double appliedLeft = removal.GetProperty("appliedLeft").GetDouble();
        Assert.InRange(appliedLeft, -0.05, 1.0);
        if (removal.GetProperty("found").GetInt32() == 7)
            Assert.InRange(appliedLeft, -0.05, 0.05);
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["clean", "protected", "averaging", "removed", "coverage-50", "clean-without-owners"], runs.Select(r => r.GetProperty("row").GetString()));
        // The reference without the owners' photos trains on everyone else's 21 for about as many steps as the others
        // (one epoch of 28 photos: 21 x 1.33) and says so.
        Assert.Equal("the owners' 7 photos left out: trained on 21 for 1 epochs, as many steps as 1 on all", runs[5].GetProperty("note").GetString());
        Assert.All(runs, r => Assert.InRange(r.GetProperty("ownersAccuracy").GetDouble(), 0, 1));
        // Others named as an owner are a part of the others' errors.
        Assert.All(runs, r => Assert.InRange(r.GetProperty("othersNamedAsOwner").GetDouble(), 0, 1 - r.GetProperty("othersAccuracy").GetDouble() + 1e-9));
        Assert.Equal("untrained model: no protection claimed", runs[1].GetProperty("note").GetString());
        // Everyone gets a result of their own; the owner's is the per-owner one, and with the same number of test photos
        // for each person the others' pooled accuracy is the mean of theirs.
        string owner = root.GetProperty("owners")[0].GetString()!;
        foreach (var run in runs)
        {
            var perPerson = run.GetProperty("perPerson").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            Assert.Equal(root.GetProperty("people").EnumerateArray().Select(p => p.GetString()), perPerson.Keys);
            Assert.Equal(run.GetProperty("perOwner").GetProperty(owner).GetDouble(), perPerson[owner]);
            var others = perPerson.Where(p => p.Key != owner).Select(p => p.Value).ToList();
            Assert.Equal(others.Average(), run.GetProperty("othersAccuracy").GetDouble(), 9);
        }
        string table = await File.ReadAllTextAsync(markdown);
        Assert.Contains("Each person's accuracy on their own clean test photos", table);
        Assert.Contains($"| **{owner}** |", table);
        Assert.Contains("uploadguard eval identity --data", table);
        Assert.Contains("| protected | resnet20 |", table);
        Assert.Contains("of the applied change left", table);
        Assert.Contains($"Texture atoms of the owners' keys: {atoms.Name} ", table);
        Assert.Contains($"PSNR of each owner's protected photos: {atoms.Name} ", table);
        Assert.Contains("One victim per row is one sample", table);
    }

    [Fact]
    public async Task Eval_identity_trains_one_victim_per_victim_seed_and_summarises_their_spread_and_can_seed_the_keys_apart()
    {
        var people = WritePeople("seeded", people: 3, photos: 6, size: 48);
        var json = Path.Combine(_work, "seeded.json");
        var markdown = Path.Combine(_work, "seeded.md");

        var result = await CliProcess.RunAsync("eval", "identity", "--data", people, "--min-photos", "6", "--owners", "1", "--photo-size", "48",
            "--face-box", "32", "--size", "16", "--model", "none", "--rows", "clean", "--victim-seeds", "2", "--seed", "3", "--key-seed", "11",
            "--epochs", "1", "--batch", "8", "--device", "cpu", "--out", json, "--markdown", markdown);

        Assert.True(result.ExitCode == 0, result.Output);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var runs = document.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([3, 1003], runs.Select(r => r.GetProperty("victimSeed").GetInt32()));
        Assert.All(runs, r => Assert.Equal("clean", r.GetProperty("row").GetString()));
        Assert.Equal(3, document.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(11, document.RootElement.GetProperty("keySeed").GetInt32());
        string table = await File.ReadAllTextAsync(markdown);
        // One owner, two victims: two owner results, counted against the low mark.
        int low = runs.Count(r => r.GetProperty("perOwner").EnumerateObject().Single().Value.GetDouble() <= 0.25);
        Assert.Matches($@"\| clean \| resnet20 \| 2 \| [0-9.]+ % \([0-9.]+-[0-9.]+\) \| {low} of 2 \|", table);
        Assert.DoesNotContain("One victim per row", table);
        Assert.Contains("keys from secret seed 11", table);

        // Continuing from the second victim trains the victim the two-victim run trained second, and only it.
        var second = Path.Combine(_work, "seeded-second.json");
        result = await CliProcess.RunAsync("eval", "identity", "--data", people, "--min-photos", "6", "--owners", "1", "--photo-size", "48",
            "--face-box", "32", "--size", "16", "--model", "none", "--rows", "clean", "--victim-seeds", "1", "--first-victim", "2", "--seed", "3",
            "--key-seed", "11", "--epochs", "1", "--batch", "8", "--device", "cpu", "--out", second);

        Assert.True(result.ExitCode == 0, result.Output);
        using var continued = JsonDocument.Parse(await File.ReadAllTextAsync(second));
        var run = continued.RootElement.GetProperty("runs").EnumerateArray().Single();
        Assert.Equal(1003, run.GetProperty("victimSeed").GetInt32());
        Assert.Equal(runs[1].GetProperty("ownersAccuracy").GetDouble(), run.GetProperty("ownersAccuracy").GetDouble());
        Assert.Equal(runs[1].GetProperty("trainAccuracy").GetDouble(), run.GetProperty("trainAccuracy").GetDouble());
    }

    [Theory]
    [InlineData("Victim seeds must be between 1 and 20", "--victim-seeds", "0")]
    [InlineData("The first victim must be at least 1", "--first-victim", "0")]
    [InlineData("the last one trained at most the 20th", "--first-victim", "20", "--victim-seeds", "2")]
    public async Task Eval_identity_refuses_victims_out_of_range(string message, params string[] victims)
    {
        var result = await CliProcess.RunAsync(["eval", "identity", "--data", _work, "--model", "none", .. victims]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, Flatten(result.Output));
    }

    [Fact]
    public async Task Eval_identity_without_enough_people_is_a_clear_error()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_work, "few", "faces", "Only_One")).FullName;
        for (int i = 0; i < 3; i++)
            WritePhoto(Path.Combine(folder, $"{i}.png"), 32, 32, seed: i);

        var result = await CliProcess.RunAsync("eval", "identity", "--data", Path.Combine(_work, "few"), "--min-photos", "2", "--model", "none");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the benchmark needs 2", Flatten(result.Output));
    }

    /// <summary>A folder of person folders, as LFW lays them out, each person's photos tinted alike.</summary>
    private string WritePeople(string name, int people, int photos, int size)
    {
        var root = Path.Combine(_work, name);
        for (int person = 0; person < people; person++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, "faces", $"Person_{person}")).FullName;
            for (int i = 0; i < photos; i++)
                WritePhoto(Path.Combine(folder, $"Person_{person}_{i:0000}.png"), size, size, seed: 100 * person + i, tint: person);
        }
        return root;
    }

    private static string Flatten(string output) => string.Join(' ', output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Smooth waves with a little noise, like a photo's mix of flat areas and detail; the tint tells people apart.</summary>
    private static void WritePhoto(string path, int width, int height, int seed, int tint = 0)
    {
        var random = new Random(seed);
        double fx = 0.02 + 0.05 * random.NextDouble(), fy = 0.02 + 0.05 * random.NextDouble();
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double wave = Math.Sin(x * fx) * Math.Cos(y * fy);
                int noise = random.Next(-6, 7);
                image[x, y] = new Rgba32(
                    (byte)Math.Clamp(120 + 70 * wave + noise + 30 * (tint == 1 ? 1 : 0), 0, 255),
                    (byte)Math.Clamp(110 + 50 * Math.Sin((x + y) * fx) + noise + 30 * (tint == 2 ? 1 : 0), 0, 255),
                    (byte)Math.Clamp(100 + 60 * Math.Cos(x * fy) + noise + 30 * (tint == 3 ? 1 : 0), 0, 255));
            }
        }
        image.Save(path);
    }
}
