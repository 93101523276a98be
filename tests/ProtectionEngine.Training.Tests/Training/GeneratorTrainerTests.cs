using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Networks;
using UploadGuard.ProtectionEngine.Tests.Datasets;
using UploadGuard.ProtectionEngine.Tests.Support;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Models.ResNetGenerator;

namespace UploadGuard.ProtectionEngine.Tests.Training;

public sealed class GeneratorTrainerTests
{
    // Tiny on purpose: 32-px photos and 16-px stand-in victims, so a step takes milliseconds.
    private static readonly Lazy<string> Data = new(() =>
    {
        var files = Enumerable.Range(0, 24)
            .Select(i => ($"smoke/{(i % 2 == 0 ? "smooth" : "busy")}/{i:00}.png",
                TestImages.EncodedPhoto(32, 32, ImageFormatKind.Png, seed: i % 2 == 0 ? i : 1000 + i)))
            .Append(("smoke/README.txt", "labels are never read\n"u8.ToArray()))
            .ToList();
        return TestArchives.WriteTar(files, gzip: true);
    });

    [Fact]
    public async Task A_smoke_run_checkpoints_resumes_and_saves_an_untrained_owner_keyed_model_the_registry_loads()
    {
        string root = TestArchives.NewTempFolder();

        var first = await GeneratorTrainer.TrainAsync(Options(root, steps: 2, version: "smoke-a"));
        Assert.Equal(0, first.ResumedFromStep);
        Assert.Equal(2, first.StepsRun);
        Assert.Equal(1, first.Dataset.SkippedNotImages);
        Assert.Equal(24, first.Dataset.Kept);
        Assert.True(File.Exists(Path.Combine(root, "checkpoints", "owner-texture-checkpoint.json")));

        var reports = new List<TrainingProgress>();
        var second = await GeneratorTrainer.TrainAsync(Options(root, steps: 3, version: "smoke-b"), new Recorder(reports));
        Assert.Equal(2, second.ResumedFromStep);
        Assert.Equal(1, second.StepsRun);
        Assert.Contains(reports, r => r.Phase == TrainingPhase.Resumed && r.Message?.Contains("Resumed from the checkpoint of step 2", StringComparison.Ordinal) == true);
        var trainingReports = StepReports(reports);
        Assert.Equal([3L], trainingReports.Select(r => r.Step));
        Assert.All(trainingReports, r => Assert.True(double.IsFinite(r.LossTerms["loss"])));

        var card = second.Card;
        Assert.False(card.Trained);
        Assert.Equal(ModelCard.UntrainedWarning, card.Warning);
        Assert.Contains(ModelCard.UntrainedWarning, card.Notes);
        Assert.Contains("2 pseudo-owners", card.Notes);
        Assert.Equal(OwnerTextureFamily.TwoCoarseGratings.Name, card.Architecture.Name);
        Assert.Contains("key distinctness weighted 10", card.Notes, StringComparison.Ordinal);
        Assert.Equal(3, card.TrainingSteps);
        Assert.Equal(32, card.WorkingSize);
        Assert.Equal(10, card.Epsilon);
        Assert.Contains("data.tar.gz", card.TrainingData);
        string written = File.ReadAllText(Path.Combine(root, "models", "smoke-b", ModelCard.FileName));
        Assert.DoesNotContain("isKnown", written);   // derived properties of the architecture are not part of the card

        var registry = new ModelRegistry(Path.Combine(root, "models"));
        using var model = registry.Load("smoke-b", CPU);
        var generator = Assert.IsType<OwnerTextureGenerator>(model.Generator);
        Assert.NotEqual(generator.Tile([1]), generator.Tile([2]));
        Assert.Equal("smoke-a", registry.ReadCard("smoke-a").Version);
    }

    [Fact]
    public async Task A_dual_run_saves_atoms_with_a_luminance_part()
    {
        string root = TestArchives.NewTempFolder();

        var result = await GeneratorTrainer.TrainAsync(Options(root, steps: 1, version: "dual") with { Architecture = OwnerTextureFamily.ChromaAndLuminance.Architecture });

        Assert.Equal(OwnerTextureFamily.ChromaAndLuminance.Name, result.Card.Architecture.Name);
        Assert.Equal(OwnerTextureGenerator.DefaultAtoms * 4 * OwnerTextureGenerator.Period * OwnerTextureGenerator.Period, result.Card.Parameters);
        using var model = new ModelRegistry(Path.Combine(root, "models")).Load("dual", CPU);
        Assert.Equal(OwnerTextureFamily.ChromaAndLuminance.Name, model.Generator.Architecture.Name);
    }

    [Fact]
    public async Task A_64_atom_run_draws_its_keys_over_all_64_atoms_and_saves_them()
    {
        string root = TestArchives.NewTempFolder();
        var architecture = OwnerTextureFamily.TwoCoarseGratings64.Architecture;

        var result = await GeneratorTrainer.TrainAsync(Options(root, steps: 1, version: "a64") with { Architecture = architecture });

        Assert.Equal(64 * 3 * OwnerTextureGenerator.Period * OwnerTextureGenerator.Period, result.Card.Parameters);
        Assert.StartsWith(OwnerTextureFamily.TwoCoarseGratings64.Name + ": 64 texture atoms", result.Card.Notes);
        using var model = new ModelRegistry(Path.Combine(root, "models")).Load("a64", CPU);
        var generator = Assert.IsType<OwnerTextureGenerator>(model.Generator);
        Assert.Equal(64, generator.AtomCount);
        Assert.Equal(3 * OwnerTextureGenerator.Period * OwnerTextureGenerator.Period, generator.Tile([7]).Length);
    }

    [Fact]
    public async Task A_sparse_low_pass_run_fits_its_atoms_through_the_projection()
    {
        string root = TestArchives.NewTempFolder();
        var architecture = OwnerTextureFamily.SparseLowPass.Architecture;

        var one = await GeneratorTrainer.TrainAsync(Options(root, steps: 1, version: "slp-1") with { Architecture = architecture });
        await GeneratorTrainer.TrainAsync(Options(root, steps: 3, version: "slp-3") with { Architecture = architecture });

        Assert.Equal(OwnerTextureFamily.SparseLowPass.Name, one.Card.Architecture.Name);
        // Adam moves no atom whose gradient is zero: two more steps change them only if the gradient passes the
        // low pass, the DFT and the kept bins.
        AssertAtomsDiffer(root, "slp-1", "slp-3");
    }

    [Fact]
    public async Task A_luminance_run_saves_luminance_atoms()
    {
        string root = TestArchives.NewTempFolder();

        var result = await GeneratorTrainer.TrainAsync(Options(root, steps: 1, version: "luma") with { Architecture = OwnerTextureFamily.Luminance.Architecture });

        Assert.Equal(OwnerTextureFamily.Luminance.Name, result.Card.Architecture.Name);
        Assert.Contains(OwnerTextureFamily.Luminance.Name, result.Card.Notes);
        using var model = new ModelRegistry(Path.Combine(root, "models")).Load("luma", CPU);
        var tile = Assert.IsType<OwnerTextureGenerator>(model.Generator).Tile([7]);
        const int plane = OwnerTextureGenerator.Period * OwnerTextureGenerator.Period;
        Assert.Equal(tile.Take(plane), tile.Skip(2 * plane));
    }

    [Fact]
    public async Task Grey_episodes_show_their_victim_only_grey_views_and_change_the_fitted_atoms()
    {
        string root = TestArchives.NewTempFolder();
        var colourReports = new List<TrainingProgress>();
        var greyReports = new List<TrainingProgress>();

        var colour = await GeneratorTrainer.TrainAsync(Options(root, steps: 3, version: "colour") with { CheckpointDirectory = null }, new Recorder(colourReports));
        var grey = await GeneratorTrainer.TrainAsync(Options(root, steps: 3, version: "grey") with { CheckpointDirectory = null, GrayEpisodeProbability = 1 },
            new Recorder(greyReports));

        Assert.All(EpisodeEnds(colourReports), m => Assert.StartsWith("episode ended", m, StringComparison.Ordinal));
        Assert.NotEmpty(EpisodeEnds(greyReports));
        Assert.All(EpisodeEnds(greyReports), m => Assert.StartsWith("grey episode ended", m, StringComparison.Ordinal));
        Assert.Contains("0 per episode", colour.Card.Notes, StringComparison.Ordinal);
        Assert.Contains("1 per episode", grey.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "colour", "grey");
    }

    [Fact]
    public async Task Stand_in_victims_see_a_size_drawn_per_step_from_half_the_proxy_size_unless_told_one_size_and_the_card_says_so()
    {
        string root = TestArchives.NewTempFolder();
        var oneSize = Options(root, steps: 3, version: "one-size") with { CheckpointDirectory = null, ProxySize = 32, MinProxySize = 32 };

        var fixedSize = await GeneratorTrainer.TrainAsync(oneSize);
        var drawn = await GeneratorTrainer.TrainAsync(oneSize with { Version = "drawn", MinProxySize = null });

        Assert.Contains("victims at 32 px", fixedSize.Card.Notes, StringComparison.Ordinal);
        Assert.Contains("victims at 16-32 px", drawn.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "one-size", "drawn");
    }

    [Fact]
    public async Task Stand_in_victims_take_turns_by_episode_and_the_card_names_them()
    {
        string root = TestArchives.NewTempFolder();
        var resNetOnly = Options(root, steps: 4, version: "resnet") with { CheckpointDirectory = null };

        var alone = await GeneratorTrainer.TrainAsync(resNetOnly);
        var inTurn = await GeneratorTrainer.TrainAsync(resNetOnly with { Version = "turns", StandInVictims = [VictimArchitecture.ResNet20, VictimArchitecture.MobileNetV2] });

        Assert.Contains("stand-in victims (resnet20, one per episode", alone.Card.Notes, StringComparison.Ordinal);
        Assert.Contains("stand-in victims (resnet20 and mobilenetv2, one per episode", inTurn.Card.Notes, StringComparison.Ordinal);
        // Episode 1 (steps 1-2) is the same ResNet-20 in both runs; episode 2 differs only in its stand-in.
        AssertAtomsDiffer(root, "resnet", "turns");
    }

    [Fact]
    public async Task The_key_distinctness_term_reports_its_overlap_changes_the_atoms_and_its_own_checkpoints()
    {
        string root = TestArchives.NewTempFolder();

        var distinct = Options(root, steps: 2, version: "distinct") with { KeyDistinctnessWeight = 5 };
        var (result, reports) = await TrainVariantBesidePlainAsync(Options(root, steps: 2, version: "plain") with { KeyDistinctnessWeight = 0 }, distinct);

        var steps = StepReports(reports);
        Assert.Equal(2, steps.Count);
        Assert.All(steps, r => Assert.InRange(r.LossTerms["key overlap"], 0, 1));
        Assert.All(steps, r => Assert.InRange(r.LossTerms["key pairs over the margin"], 0, 1));
        Assert.Contains("key distinctness weighted 5", result.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "plain", "distinct");
    }

    [Fact]
    public async Task Hard_owner_emphasis_reports_its_weight_changes_the_atoms_and_has_its_own_checkpoints()
    {
        string root = TestArchives.NewTempFolder();

        var emphasised = Options(root, steps: 2, version: "hard") with { HardOwnerEmphasis = 2 };
        var (result, reports) = await TrainVariantBesidePlainAsync(Options(root, steps: 2, version: "plain"), emphasised);

        // Step 1 has no running losses yet (every weight 1); step 2 weighs the owners by step 1's.
        var steps = StepReports(reports);
        Assert.All(steps, r => Assert.InRange(r.LossTerms["hardest owner's weight"], 1, OwnerTextureTrainer.HardOwnerWeightLimit));
        Assert.Contains("hard owners emphasised to the power 2", result.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "plain", "hard");
    }

    [Fact]
    public void Hard_owner_emphasis_keeps_the_texture_to_the_bit_and_scales_only_its_gradient_per_photo()
    {
        using var scope = NewDisposeScope();
        var texture = randn([3, 3, 4, 4], generator: new TorchSharp.torch.Generator(7)).requires_grad_();
        // Owners 0 and 1 of two, and a clean photo (label 2), which keeps weight 1.
        var emphasised = OwnerTextureTrainer.EmphasiseHardOwners(texture, [2.5, 0.5], [0, 1, 2]);

        Assert.Equal(texture.data<float>().ToArray(), emphasised.data<float>().ToArray());
        emphasised.sum().backward();
        var gradient = texture.grad!;
        Assert.All(gradient[0].data<float>().ToArray(), g => Assert.Equal(2.5f, g));
        Assert.All(gradient[1].data<float>().ToArray(), g => Assert.Equal(0.5f, g));
        Assert.All(gradient[2].data<float>().ToArray(), g => Assert.Equal(1f, g));
    }

    [Fact]
    public void Episode_warm_up_starts_each_episode_louder_and_falls_to_the_budget_after_the_runs_curriculum()
    {
        var options = Options(TestArchives.NewTempFolder(), steps: 1000, version: "v") with { Epsilon = 10, EpisodeSteps = 100 };
        var warm = options with { EpisodeWarmUp = 2.5 };
        double Levels(GeneratorTrainingOptions o, long step) => OwnerTextureTrainer.AmplitudeScale(o, step) * 255;

        // The run's curriculum: 3x epsilon falling to epsilon over the first 40 % of the run, then epsilon.
        Assert.Equal(29.95, Levels(options, 1), 9);
        Assert.Equal(10, Levels(options, 400), 9);
        Assert.Equal(10, Levels(options, 501), 9);
        // Louder than the warm-up early on, the run's curriculum wins; later each episode starts at 2.5x and reaches
        // epsilon half way through.
        Assert.Equal(Levels(options, 1), Levels(warm, 1), 12);
        Assert.Equal(Levels(options, 150), Levels(warm, 150), 12);
        Assert.Equal(25, Levels(warm, 501), 9);
        Assert.Equal(17.5, Levels(warm, 526), 9);
        Assert.Equal(10, Levels(warm, 551), 9);
        Assert.Equal(10, Levels(warm, 600), 9);
        Assert.Equal(25, Levels(warm, 601), 9);
    }

    [Fact]
    public void A_longer_curriculum_keeps_the_texture_louder_for_longer_and_still_ends_at_the_budget()
    {
        var options = Options(TestArchives.NewTempFolder(), steps: 1000, version: "v") with { Epsilon = 10, EpisodeSteps = 100 };
        var longer = options with { CurriculumFraction = 0.8 };
        double Levels(GeneratorTrainingOptions o, long step) => OwnerTextureTrainer.AmplitudeScale(o, step) * 255;

        Assert.Equal(Levels(options, 1), Levels(longer, 1), 1);
        // Half way down at step 400 (20 levels) where the default curriculum has reached the budget.
        Assert.Equal(20, Levels(longer, 400), 9);
        Assert.Equal(10, Levels(longer, 800), 9);
        Assert.Equal(10, Levels(longer, 1000), 9);
    }

    [Fact]
    public void Loud_views_keep_a_share_of_the_photos_at_three_times_epsilon_after_the_curriculum()
    {
        var options = Options(TestArchives.NewTempFolder(), steps: 1000, version: "v") with { Epsilon = 10, LoudViewProbability = 0.5 };
        double budget = OwnerTextureTrainer.AmplitudeScale(options, 900);
        Assert.Equal(10 / 255.0, budget, 9);

        using var scope = NewDisposeScope();
        var levels = OwnerTextureTrainer.ViewAmplitudes(options, 900, 2000, budget, CPU).flatten().data<float>().ToArray().Select(a => Math.Round(a * 255, 3)).ToList();
        Assert.All(levels, l => Assert.Contains(l, new[] { 10.0, 30.0 }));
        Assert.InRange(levels.Count(l => l == 30), 900, 1100);
        // Another step draws other photos loud; the draw is the step's, so a resumed run repeats it.
        var again = OwnerTextureTrainer.ViewAmplitudes(options, 900, 2000, budget, CPU).flatten().data<float>().ToArray();
        var next = OwnerTextureTrainer.ViewAmplitudes(options, 901, 2000, budget, CPU).flatten().data<float>().ToArray();
        Assert.Equal(levels, again.Select(a => Math.Round(a * 255, 3)));
        Assert.NotEqual(again, next);
        Assert.All(OwnerTextureTrainer.ViewAmplitudes(options with { LoudViewProbability = 1 }, 900, 50, budget, CPU).flatten().data<float>().ToArray(),
            a => Assert.Equal(30, a * 255, 3));
    }

    [Fact]
    public async Task Loud_views_reach_the_card_have_their_own_checkpoints_and_move_the_atoms()
    {
        string root = TestArchives.NewTempFolder();

        var loud = Options(root, steps: 3, version: "loud") with { LoudViewProbability = 0.5 };
        var (result, reports) = await TrainVariantBesidePlainAsync(Options(root, steps: 3, version: "plain"), loud);

        // Each step says how many of the owned photos at the step's amplitude the stand-in read (when the batch has any).
        Assert.Contains(StepReports(reports), r => r.LossTerms.TryGetValue(OwnerTextureTrainer.QuietOwnedAccuracyTerm, out double a) && a is >= 0 and <= 1);
        Assert.Contains("a share 0.5 of the owned photos at 3 times epsilon all run", result.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "plain", "loud");
    }

    [Fact]
    public async Task With_no_gradient_from_the_loud_views_the_atoms_stay_put_when_every_view_is_loud_while_plain_loud_views_move_them()
    {
        string root = TestArchives.NewTempFolder();
        // Without the distinctness term the victim's loss is the atoms' only gradient.
        var allLoud = Options(root, steps: 2, version: "all-loud") with { LoudViewProbability = 1, KeyDistinctnessWeight = 0 };
        var quietAtoms = allLoud with { Version = "quiet-atoms", LoudViewAtomGradient = 0 };

        var (result, reports) = await TrainVariantBesidePlainAsync(allLoud, quietAtoms);
        await GeneratorTrainer.TrainAsync(quietAtoms with { Version = "quiet-atoms-1", Steps = 1, CheckpointDirectory = null });

        // The stand-in still learned from the loud photos; the atoms got nothing from them.
        Assert.Equal(2, StepReports(reports).Count);
        Assert.Contains("all run teaching the stand-in only (the atoms follow the photos at the budget)", result.Card.Notes, StringComparison.Ordinal);
        Assert.Equal(Atoms(root, "quiet-atoms-1"), Atoms(root, "quiet-atoms"));
        AssertAtomsDiffer(root, "all-loud", "quiet-atoms");
    }

    [Fact]
    public async Task A_weight_between_0_and_1_on_the_loud_views_gradient_moves_the_atoms_unlike_either_end()
    {
        string root = TestArchives.NewTempFolder();
        // Loud and quiet photos together: the weight changes how much each kind steers the atoms, not just the step's scale.
        var mixed = Options(root, steps: 2, version: "weight-1") with { LoudViewProbability = 0.5, KeyDistinctnessWeight = 0, CheckpointDirectory = null };

        await GeneratorTrainer.TrainAsync(mixed);
        await GeneratorTrainer.TrainAsync(mixed with { Version = "weight-0", LoudViewAtomGradient = 0 });
        var half = await GeneratorTrainer.TrainAsync(mixed with { Version = "weight-half", LoudViewAtomGradient = 0.5 });

        Assert.Contains("all run, their gradient to the atoms weighted 0.5", half.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "weight-1", "weight-half");
        AssertAtomsDiffer(root, "weight-0", "weight-half");
    }

    [Fact]
    public async Task A_longer_curriculum_reaches_the_step_the_card_and_its_own_checkpoints()
    {
        string root = TestArchives.NewTempFolder();

        var longer = Options(root, steps: 4, version: "longer") with { CurriculumFraction = 1 };
        var (result, reports) = await TrainVariantBesidePlainAsync(Options(root, steps: 1, version: "plain"), longer);

        var steps = StepReports(reports);
        Assert.Equal([.. Enumerable.Range(1, 4).Select(s => OwnerTextureTrainer.AmplitudeScale(longer, s) * 255)], steps.Select(r => r.LossTerms["epsilon"]));
        // The default curriculum has reached the budget by step 2 of 4; this one only at the run's last step.
        Assert.True(steps[2].LossTerms["epsilon"] > longer.Epsilon);
        Assert.Equal(longer.Epsilon, steps[3].LossTerms["epsilon"], 9);
        Assert.Contains("the amplitude falling from 3 times epsilon to it over the first 100% of the run", result.Card.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Episode_warm_up_reaches_the_step_the_card_and_its_own_checkpoints()
    {
        string root = TestArchives.NewTempFolder();

        var warm = Options(root, steps: 4, version: "warm") with { EpisodeWarmUp = 2 };
        var (result, reports) = await TrainVariantBesidePlainAsync(Options(root, steps: 1, version: "plain"), warm);

        var steps = StepReports(reports);
        Assert.Equal([.. Enumerable.Range(1, 4).Select(s => OwnerTextureTrainer.AmplitudeScale(warm, s) * 255)], steps.Select(r => r.LossTerms["epsilon"]));
        // Step 3 opens the second episode after the run's curriculum has ended: twice the budget of 10, not 10.
        Assert.Equal(20, steps[2].LossTerms["epsilon"], 9);
        Assert.Contains("each episode's stand-in warmed up at 2 times epsilon", result.Card.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_attacker_per_episode_is_named_at_each_episodes_end_in_the_card_and_has_its_own_checkpoints()
    {
        string root = TestArchives.NewTempFolder();

        var perEpisode = Options(root, steps: 5, version: "episode") with { AttackerPerEpisode = true };
        var (result, reports) = await TrainVariantBesidePlainAsync(Options(root, steps: 5, version: "plain"), perEpisode);

        // Episodes of 2 steps: the ends of the first two are reported, each naming its attacker's pipeline.
        var ends = EpisodeEnds(reports).ToList();
        Assert.Equal(2, ends.Count);
        Assert.All(ends, m => Assert.Matches(@"\(attacker: \d+ px, crops of \d+%", m));
        Assert.Contains("one attacker's pipeline per episode", result.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "plain", "episode");
    }

    [Fact]
    public async Task Readable_episodes_face_one_attacker_without_jpeg_or_grey_and_have_their_own_checkpoints()
    {
        string root = TestArchives.NewTempFolder();

        // Grey and JPEG everywhere else, so that only the readable episode's rule can keep them out of its pipeline.
        var plain = Options(root, steps: 5, version: "plain") with { GrayEpisodeProbability = 1, JpegProbability = 1, ProxySize = 24, MinProxySize = 16 };
        var (result, reports) = await TrainVariantBesidePlainAsync(plain, plain with { Version = "readable", ReadableEpisodeProbability = 1 });

        var ends = EpisodeEnds(reports).ToList();
        Assert.Equal(2, ends.Count);
        Assert.All(ends, m => Assert.StartsWith("readable episode ended", m, StringComparison.Ordinal));
        Assert.All(ends, m => Assert.Matches(@"\(attacker: 24 px, crops of \d+%", m));
        Assert.All(ends, m => Assert.DoesNotContain("JPEG", m, StringComparison.Ordinal));
        Assert.Contains("a readable attacker in a share 1 of episodes (one pipeline for the episode at 24 px", result.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "plain", "readable");
    }

    [Fact]
    public async Task Kept_stand_ins_change_the_atoms_are_named_in_the_card_and_resume_from_their_checkpoint()
    {
        string root = TestArchives.NewTempFolder();

        var plain = Options(root, steps: 5, version: "plain");
        var (result, _) = await TrainVariantBesidePlainAsync(plain, plain with { Version = "kept", KeepStandIns = true });
        Assert.Contains("one stand-in victim (resnet20) kept through the run (2 pseudo-owners with random keys over random groups of the photos, new keys and a new classifier every 2 steps", result.Card.Notes, StringComparison.Ordinal);
        Assert.DoesNotContain("kept through", new ModelRegistry(Path.Combine(root, "models")).ReadCard("plain").Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "plain", "kept");

        // Two runs resume from copies of one checkpoint of step 3 (mid-episode), one without the kept stand-in's file:
        // the atoms differ only if the stand-in a resumed run goes on with is the saved one.
        string first = Path.Combine(root, "kept-a"), second = Path.Combine(root, "kept-b");
        var kept = Options(root, steps: 3, version: "kept-3") with { KeepStandIns = true, CheckpointDirectory = first };
        await GeneratorTrainer.TrainAsync(kept);
        string standIn = Path.Combine(first, "owner-texture-stand-in.safetensors");
        Assert.True(File.Exists(standIn));
        Directory.CreateDirectory(second);
        foreach (var file in Directory.GetFiles(first).Where(f => f != standIn))
            File.Copy(file, Path.Combine(second, Path.GetFileName(file)));
        var restored = await GeneratorTrainer.TrainAsync(kept with { Steps = 5, Version = "kept-a" });
        await GeneratorTrainer.TrainAsync(kept with { Steps = 5, Version = "kept-b", CheckpointDirectory = second });
        Assert.Equal(3, restored.ResumedFromStep);
        AssertAtomsDiffer(root, "kept-a", "kept-b");
    }

    [Fact]
    public async Task A_fresh_stand_in_beside_the_kept_one_changes_the_atoms_and_reports_its_own_loss()
    {
        string root = TestArchives.NewTempFolder();

        var kept = Options(root, steps: 5, version: "kept") with { KeepStandIns = true };
        var (result, reports) = await TrainVariantBesidePlainAsync(kept, kept with { Version = "both", FreshStandInBesideKept = true });

        Assert.All(StepReports(reports), r => Assert.InRange(r.LossTerms[OwnerTextureTrainer.FreshStandInLossTerm], 0, 100));
        var ends = EpisodeEnds(reports).ToList();
        Assert.Equal(2, ends.Count);
        Assert.All(ends, m => Assert.Matches(@"mean loss \d\.\d{3} \(the from-scratch stand-in's: \d\.\d{3}\)", m));
        Assert.Contains("kept through the run beside a from-scratch one per episode, the atoms following the mean of their losses", result.Card.Notes, StringComparison.Ordinal);
        Assert.Contains("new keys, a new from-scratch victim and a new classifier every 2 steps", result.Card.Notes, StringComparison.Ordinal);
        AssertAtomsDiffer(root, "kept", "both");
    }

    [Fact]
    public void Hard_owner_weights_follow_the_running_loss_within_the_limit_and_leave_unseen_owners_at_one()
    {
        var weights = OwnerTextureTrainer.HardOwnerWeights([2.0, 1.0, 0.0, double.NaN], emphasis: 2);

        // Mean of the seen owners: 1.
        Assert.Equal(OwnerTextureTrainer.HardOwnerWeightLimit, weights[0]);
        Assert.Equal(1, weights[1], 12);
        Assert.Equal(1 / OwnerTextureTrainer.HardOwnerWeightLimit, weights[2]);
        Assert.Equal(1, weights[3]);
        Assert.Equal([1.0, 1.0], OwnerTextureTrainer.HardOwnerWeights([double.NaN, double.NaN], emphasis: 2));
        Assert.Equal(Math.Pow(1.2 / 1.1, 0.5), OwnerTextureTrainer.HardOwnerWeights([1.2, 1.0], emphasis: 0.5)[0], 12);
    }

    [Fact]
    public async Task Cancelling_writes_a_checkpoint_and_saves_no_model()
    {
        string root = TestArchives.NewTempFolder();
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder([], p =>
        {
            if (p.Phase == TrainingPhase.Training && p.Step == 1)
                cancel.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            GeneratorTrainer.TrainAsync(Options(root, steps: 50, version: "never", interval: 10), progress, cancel.Token));

        Assert.False(Directory.Exists(Path.Combine(root, "models", "never")));
        var resumed = await GeneratorTrainer.TrainAsync(Options(root, steps: 2, version: "after", interval: 10));
        Assert.Equal(1, resumed.ResumedFromStep);
    }

    [Fact]
    public async Task Checkpoints_of_another_run_are_refused()
    {
        string root = TestArchives.NewTempFolder();
        await GeneratorTrainer.TrainAsync(Options(root, steps: 1, version: "one"));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => GeneratorTrainer.TrainAsync(Options(root, steps: 2, version: "two") with { Seed = 2 }));
        Assert.Contains("another run", ex.Message);
    }

    [Fact]
    public async Task Missing_data_and_existing_versions_fail_before_any_work()
    {
        string root = TestArchives.NewTempFolder();

        await Assert.ThrowsAsync<FileNotFoundException>(() => GeneratorTrainer.TrainAsync(Options(root, 1, "x") with { DataSource = Path.Combine(root, "absent.tar.gz") }));

        TestEngine.AddSmallModel(new ModelRegistry(Path.Combine(root, "models")), "taken");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => GeneratorTrainer.TrainAsync(Options(root, 1, "taken")));
        Assert.Contains("already exists", ex.Message);
    }

    [Fact]
    public void Options_are_validated()
    {
        var valid = Options(TestArchives.NewTempFolder(), 1, "v");
        valid.Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { ImageSize = 30 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { Epsilon = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { GrayProbability = 1.5 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { GrayEpisodeProbability = -0.1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { KeyDistinctnessWeight = -1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { KeyDistinctnessWeight = double.PositiveInfinity }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { JpegProbability = double.NaN }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { HalvingProbability = 1.5 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { CurriculumFraction = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { CurriculumFraction = 1.01 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { CurriculumFraction = double.NaN }).Validate());
        (valid with { CurriculumFraction = 1 }).Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { LoudViewProbability = 1.5 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { LoudViewProbability = double.NaN }).Validate());
        Assert.Throws<ArgumentException>(() => (valid with { LoudViewAtomGradient = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { LoudViewProbability = 0.5, LoudViewAtomGradient = 1.5 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { LoudViewProbability = 0.5, LoudViewAtomGradient = double.NaN }).Validate());
        (valid with { LoudViewProbability = 0.5, LoudViewAtomGradient = 0 }).Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { HardOwnerEmphasis = -1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { HardOwnerEmphasis = double.NaN }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { EpisodeWarmUp = 0.5 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { EpisodeWarmUp = double.NaN }).Validate());
        (valid with { EpisodeWarmUp = 4, AttackerPerEpisode = true }).Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { ReadableEpisodeProbability = 1.1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { ReadableEpisodeProbability = double.NaN }).Validate());
        (valid with { ReadableEpisodeProbability = 1 }).Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { PseudoOwners = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { MinProxySize = 8 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (valid with { MinProxySize = valid.ProxySize + 1 }).Validate());
        (valid with { MinProxySize = valid.ProxySize }).Validate();
        Assert.Throws<ArgumentException>(() => (valid with { Architecture = ResNetGeneratorFamily.Instance.Architecture }).Validate());
        Assert.Throws<ArgumentException>(() => (valid with { Version = "../escape" }).Validate());
        Assert.Throws<ArgumentException>(() => (valid with { StandInVictims = [] }).Validate());
        Assert.Throws<ArgumentException>(() => (valid with { StandInVictims = [(VictimArchitecture)42] }).Validate());
        Assert.Throws<ArgumentException>(() => (valid with { KeepStandIns = true, StandInVictims = [VictimArchitecture.ResNet20, VictimArchitecture.Vgg] }).Validate());
        (valid with { KeepStandIns = true, StandInVictims = [VictimArchitecture.Vgg] }).Validate();
        Assert.Throws<ArgumentException>(() => (valid with { FreshStandInBesideKept = true }).Validate());
        (valid with { KeepStandIns = true, FreshStandInBesideKept = true }).Validate();
    }

    /// <summary>
    /// Trains <paramref name="plain"/> into the checkpoint folder, checks that <paramref name="variant"/> refuses to resume
    /// from its checkpoint (the variant's setting joins the fingerprint), then trains the variant without checkpoints and
    /// returns its result and progress reports.
    /// </summary>
    private static async Task<(TrainingResult Result, List<TrainingProgress> Reports)> TrainVariantBesidePlainAsync(
        GeneratorTrainingOptions plain, GeneratorTrainingOptions variant)
    {
        await GeneratorTrainer.TrainAsync(plain);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => GeneratorTrainer.TrainAsync(variant));
        Assert.Contains("another run", refused.Message);
        var reports = new List<TrainingProgress>();
        var result = await GeneratorTrainer.TrainAsync(variant with { CheckpointDirectory = null }, new Recorder(reports));
        return (result, reports);
    }

    /// <summary>The reports of completed training steps (a step's report carries its throughput).</summary>
    private static List<TrainingProgress> StepReports(IEnumerable<TrainingProgress> reports) =>
        [.. reports.Where(r => r.Phase == TrainingPhase.Training && r.ImagesPerSecond > 0)];

    /// <summary>The messages that close an episode.</summary>
    private static IEnumerable<string> EpisodeEnds(IEnumerable<TrainingProgress> reports) =>
        reports.Select(r => r.Message).OfType<string>().Where(m => m.Contains("episode ended", StringComparison.Ordinal));

    private static void AssertAtomsDiffer(string root, string first, string second) =>
        Assert.NotEqual(Atoms(root, first), Atoms(root, second));

    private static float[] Atoms(string root, string version)
    {
        using var model = new ModelRegistry(Path.Combine(root, "models")).Load(version, CPU);
        return Assert.IsType<OwnerTextureGenerator>(model.Generator).parameters().Single().data<float>().ToArray();
    }

    private static GeneratorTrainingOptions Options(string root, long steps, string version, int interval = 1) => new()
    {
        DataSource = Data.Value,
        Sampling = DatasetSampling.First,
        ImageSize = 32,
        ProxySize = 16,
        PseudoOwners = 2,
        EpisodeSteps = 2,
        Steps = steps,
        BatchSize = 4,
        Seed = 1,
        CheckpointDirectory = Path.Combine(root, "checkpoints"),
        CheckpointInterval = interval,
        ModelsPath = Path.Combine(root, "models"),
        Version = version,
        Device = "cpu",
    };

    private sealed class Recorder(List<TrainingProgress> reports, Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
