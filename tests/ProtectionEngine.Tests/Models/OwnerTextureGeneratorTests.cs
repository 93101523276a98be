using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Models.ResNetGenerator;

namespace UploadGuard.ProtectionEngine.Tests.Models;

public sealed class OwnerTextureGeneratorTests
{
    private static byte[] Key(int seed)
    {
        var key = new byte[32];
        new Random(seed).NextBytes(key);
        return key;
    }

    [Fact]
    public void A_key_picks_its_atoms_colours_and_orientation_deterministically()
    {
        var a = OwnerTextureGenerator.KeyOf(Key(1));
        var again = OwnerTextureGenerator.KeyOf(Key(1));

        Assert.Equal(a.Code, again.Code);
        Assert.Equal((a.ChannelOrder, a.Dihedral), (again.ChannelOrder, again.Dihedral));
        Assert.Equal(OwnerTextureGenerator.AtomsPerKey, a.Code.Count(v => v != 0));
        Assert.All(a.Code, v => Assert.Contains(v, new[] { -1f, 0f, 1f }));
        Assert.InRange(a.ChannelOrder, 0, 5);
        Assert.InRange(a.Dihedral, 0, 7);
        var others = Enumerable.Range(2, 200).Select(s => OwnerTextureGenerator.KeyOf(Key(s))).ToList();
        Assert.True(others.Select(k => (string.Join(",", k.Code), k.ChannelOrder, k.Dihedral)).Distinct().Count() > 190);
        // What eval identity reports as the key's atoms: the code's non-zero entries, ascending.
        var atoms = OwnerTextureGenerator.AtomsOf(Key(1));
        Assert.Equal(Enumerable.Range(0, OwnerTextureGenerator.DefaultAtoms).Where(i => a.Code[i] != 0), atoms);
    }

    [Fact]
    public void Keys_over_64_atoms_share_an_atom_about_half_as_often_as_over_32()
    {
        var keys = Enumerable.Range(1, 200).Select(Key).ToList();

        static double SharingPairs(IReadOnlyList<int[]> picks)
        {
            int pairs = 0, sharing = 0;
            for (int i = 0; i < picks.Count; i++)
            {
                for (int j = i + 1; j < picks.Count; j++, pairs++)
                    sharing += picks[i].Intersect(picks[j]).Any() ? 1 : 0;
            }
            return (double)sharing / pairs;
        }

        var over32 = keys.Select(k => OwnerTextureGenerator.AtomsOf(k)).ToList();
        var over64 = keys.Select(k => OwnerTextureGenerator.AtomsOf(k, 64)).ToList();

        Assert.All(over64, atoms => Assert.Equal(OwnerTextureGenerator.AtomsPerKey, atoms.Distinct().Count(a => a is >= 0 and < 64)));
        Assert.Contains(over64, atoms => atoms.Any(a => a >= 32));
        // 1 - (30/32)(29/31) = 12.3 % of pairs over 32 atoms, 1 - (62/64)(61/63) = 6.2 % over 64.
        Assert.InRange(SharingPairs(over32), 0.09, 0.16);
        Assert.InRange(SharingPairs(over64), 0.04, 0.085);
        // The 32-atom keys are those every model before the 64-atom family was trained and measured with.
        Assert.Equal([11, 28], OwnerTextureGenerator.AtomsOf(Key(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => OwnerTextureGenerator.KeyOf(Key(1), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OwnerTextureGenerator.KeyOf(Key(1), 512));
    }

    [Fact]
    public void A_64_atom_generator_holds_64_atoms_and_refuses_a_32_atom_key()
    {
        using var generator = new OwnerTextureGenerator(OwnerTextureFamily.TwoCoarseGratings64);
        generator.Reset(5);
        const int plane = OwnerTextureGenerator.Period * OwnerTextureGenerator.Period;

        Assert.Equal(64, generator.AtomCount);
        Assert.Equal(64 * 3 * plane, generator.ParameterCount);
        Assert.Equal(64, generator.KeyFor(Key(3)).Code.Length);
        Assert.Equal(3 * plane, generator.Tile(Key(3)).Length);
        var refused = Assert.Throws<ArgumentException>(() => generator.Tiles([OwnerTextureGenerator.KeyOf(Key(3))]));
        Assert.Contains("64 code entries", refused.Message);
    }

    public static TheoryData<string> TrainingNames => new(GeneratorCatalog.Families.OfType<OwnerTextureFamily>().Select(f => f.TrainingName));

    [Theory]
    [MemberData(nameof(TrainingNames))]
    public void A_keys_tile_is_the_same_to_the_bit_whatever_else_is_in_its_batch(string trainingName)
    {
        // The engine and the key holder's removal draw one key's tile alone, training draws a batch of keys: the texture
        // training fits must be the one the engine draws, to the bit.
        using var generator = new OwnerTextureGenerator((OwnerTextureFamily)GeneratorCatalog.FromTrainingName(trainingName));
        generator.Reset(5);
        using var noGrad = no_grad();
        var alone = generator.Tiles([generator.KeyFor(Key(3))]).data<float>().ToArray();
        foreach (int batch in new[] { 2, 7, 16 })
        {
            var keys = Enumerable.Range(10, batch - 1).Select(s => generator.KeyFor(Key(s))).Prepend(generator.KeyFor(Key(3))).ToList();
            using var tiles = generator.Tiles(keys);
            Assert.Equal(alone, tiles[0].data<float>().ToArray());
        }
    }

    [Fact]
    public void A_tile_has_no_tint_and_an_RMS_of_at_most_tanh_1()
    {
        using var generator = new OwnerTextureGenerator();
        generator.Reset(5);
        var tile = generator.Tile(Key(3));
        const int plane = OwnerTextureGenerator.Period * OwnerTextureGenerator.Period;

        Assert.Equal(3 * plane, tile.Length);
        Assert.All(tile, v => Assert.InRange(v, -1f, 1f));
        for (int c = 0; c < 3; c++)
            Assert.InRange(tile.Skip(c * plane).Take(plane).Average(), -0.1, 0.1);
        double rms = Math.Sqrt(tile.Average(v => (double)v * v));
        Assert.InRange(rms, 0.3, Math.Tanh(1) + 1e-6);
        Assert.NotEqual(tile, generator.Tile(Key(4)));
    }

    [Fact]
    public void A_luminance_tile_is_one_texture_in_all_three_channels()
    {
        using var generator = new OwnerTextureGenerator(OwnerTextureFamily.Luminance);
        generator.Reset(5);
        var tile = generator.Tile(Key(3));
        const int plane = OwnerTextureGenerator.Period * OwnerTextureGenerator.Period;

        Assert.Equal(OwnerTextureGenerator.DefaultAtoms * plane, generator.ParameterCount);
        Assert.Equal(3 * plane, tile.Length);
        Assert.Equal(tile.Take(plane), tile.Skip(plane).Take(plane));
        Assert.Equal(tile.Take(plane), tile.Skip(2 * plane));
        Assert.InRange(Math.Sqrt(tile.Average(v => (double)v * v)), 0.3, Math.Tanh(1) + 1e-6);
        Assert.NotEqual(tile, generator.Tile(Key(4)));
    }

    [Fact]
    public void A_dual_tile_is_half_chroma_and_half_luminance()
    {
        using var generator = new OwnerTextureGenerator(OwnerTextureFamily.ChromaAndLuminance);
        generator.Reset(5);
        using var noGrad = no_grad();
        using var tile = generator.Tiles([OwnerTextureGenerator.KeyOf(Key(3))]).atanh() / OwnerTextureGenerator.Gain;
        const int plane = OwnerTextureGenerator.Period * OwnerTextureGenerator.Period;

        Assert.Equal(OwnerTextureGenerator.DefaultAtoms * 4 * plane, generator.ParameterCount);
        // Before tanh: the mean over channels is the luminance part, what is left the chroma part; each carries half
        // of the unit power, so greying the photo keeps half of the texture.
        using var luminance = tile.mean([1], keepdim: true);
        using var chroma = tile - luminance;
        Assert.Equal(0.5, luminance.square().mean().item<float>(), 2);
        Assert.Equal(0.5, chroma.square().mean().item<float>(), 2);
        Assert.NotEqual(generator.Tile(Key(3)), generator.Tile(Key(4)));
    }

    [Fact]
    public void A_low_pass_tile_keeps_no_frequency_past_the_radius_and_the_same_atoms_as_a_colour_one()
    {
        using var lowPass = new OwnerTextureGenerator(OwnerTextureFamily.LowPass);
        using var colour = new OwnerTextureGenerator(OwnerTextureFamily.Colour);
        lowPass.Reset(5);
        colour.Reset(5);
        using var noGrad = no_grad();
        // Before tanh the texture is the unit-RMS low-passed sum of the key's atoms.
        var z = (lowPass.Tiles([OwnerTextureGenerator.KeyOf(Key(3))]).atanh() / OwnerTextureGenerator.Gain).data<float>().ToArray();
        var plain = (colour.Tiles([OwnerTextureGenerator.KeyOf(Key(3))]).atanh() / OwnerTextureGenerator.Gain).data<float>().ToArray();

        Assert.Equal(colour.ParameterCount, lowPass.ParameterCount);
        Assert.Equal(1.0, Math.Sqrt(z.Average(v => (double)v * v)), 2);
        Assert.InRange(PowerPast(z, OwnerTextureGenerator.LowPassRadius), 0, 1e-4);
        // Gaussian atoms spread their power evenly: without the low pass most of it lies past the radius.
        Assert.InRange(PowerPast(plain, OwnerTextureGenerator.LowPassRadius), 0.5, 1);
        Assert.Equal(OwnerTextureFamily.LowPass.Architecture, GeneratorCatalog.FromTrainingName("owner-texture-lowpass").Architecture);
    }

    public static TheoryData<string> SparseFamilies => new(
        GeneratorCatalog.Families.OfType<OwnerTextureFamily>().Where(f => f.SparseBins is not null).Select(f => f.TrainingName));

    [Theory]
    [MemberData(nameof(SparseFamilies))]
    public void A_sparse_tile_is_its_familys_few_gratings_and_with_a_low_pass_only_coarse_ones(string trainingName)
    {
        var family = (OwnerTextureFamily)GeneratorCatalog.FromTrainingName(trainingName);
        int kept = family.SparseBins!.Value;
        using var generator = new OwnerTextureGenerator(family);
        generator.Reset(5);
        using var noGrad = no_grad();
        foreach (int seed in new[] { 3, 4, 5 })
        {
            var z = (generator.Tiles([generator.KeyFor(Key(seed))]).atanh() / OwnerTextureGenerator.Gain).data<float>().ToArray();
            var bins = Spectrum(z);
            double total = bins.Sum(b => b.Power);
            // All the power in the strongest bins (conjugate pairs, and at most one more where a pair straddled the cut).
            Assert.InRange(bins.OrderByDescending(b => b.Power).Take(kept + 1).Sum(b => b.Power) / total, 1 - 1e-4, 1 + 1e-9);
            Assert.InRange(bins.Count(b => b.Power > 1e-6 * total), 2, kept + 1);
            Assert.Equal(1.0, Math.Sqrt(z.Average(v => (double)v * v)), 2);
            if (family.LowPassRadius is double radius)
                Assert.InRange(PowerPast(z, radius), 0, 1e-4);
        }
        Assert.Equal(family.Architecture, GeneratorCatalog.Find(family.Name)!.Architecture);
    }

    [Theory]
    [InlineData(4, 49)]
    [InlineData(3, 29)]
    [InlineData(2.25, 21)]
    public void The_low_pass_projection_is_symmetric_and_idempotent_and_keeps_the_lattice_points_within_its_radius(double radius, int keptFrequencies)
    {
        using var projection = OwnerTextureGenerator.LowPassProjection(radius);
        using var twice = projection.matmul(projection);

        Assert.True(projection.allclose(projection.t(), atol: 1e-6));
        Assert.True(twice.allclose(projection, atol: 1e-5));
        Assert.Equal(keptFrequencies, projection.trace().item<float>(), 3);
    }

    /// <summary>Each DFT bin's power, summed over the channels, with its signed frequencies in cycles per period.</summary>
    private static List<(int Fy, int Fx, double Power)> Spectrum(float[] texture)
    {
        const int period = OwnerTextureGenerator.Period;
        var bins = new List<(int, int, double)>();
        for (int ky = 0; ky < period; ky++)
        {
            for (int kx = 0; kx < period; kx++)
            {
                double power = 0;
                for (int c = 0; c < texture.Length / (period * period); c++)
                {
                    double re = 0, im = 0;
                    for (int y = 0; y < period; y++)
                    {
                        for (int x = 0; x < period; x++)
                        {
                            double angle = -2 * Math.PI * (ky * y + kx * x) / period, v = texture[(c * period + y) * period + x];
                            re += v * Math.Cos(angle);
                            im += v * Math.Sin(angle);
                        }
                    }
                    power += re * re + im * im;
                }
                bins.Add((ky < period / 2 ? ky : ky - period, kx < period / 2 ? kx : kx - period, power));
            }
        }
        return bins;
    }

    /// <summary>The share of the power at more than <paramref name="radius"/> cycles per period.</summary>
    private static double PowerPast(float[] texture, double radius)
    {
        var bins = Spectrum(texture);
        return bins.Where(b => b.Fy * b.Fy + b.Fx * b.Fx > radius * radius).Sum(b => b.Power) / bins.Sum(b => b.Power);
    }

    [Fact]
    public void Only_an_owner_texture_architecture_builds_one()
    {
        Assert.False(ResNetGeneratorFamily.Instance.Architecture.IsOwnerKeyed);
        Assert.Null(GeneratorCatalog.Find("owner-texture-v9"));
        Assert.Throws<ArgumentException>(() => GeneratorCatalog.FromTrainingName("resnet-generator"));
        Assert.True(OwnerTextureFamily.Luminance.Architecture.IsOwnerKeyed);
        Assert.True(OwnerTextureFamily.ChromaAndLuminance.Architecture.IsOwnerKeyed);
        Assert.Equal(OwnerTextureFamily.ChromaAndLuminance.Architecture, GeneratorCatalog.FromTrainingName("owner-texture-dual").Architecture);
        Assert.Equal(OwnerTextureFamily.Luminance.Architecture, GeneratorCatalog.FromTrainingName("owner-texture-luma").Architecture);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 11)]
    [InlineData(15, 1)]
    public void The_engine_repeats_the_tile_exactly_as_training_renders_it(int shiftY, int shiftX)
    {
        using var generator = new OwnerTextureGenerator();
        generator.Reset(9);
        var key = Key(7);
        const int size = 40;
        var fromEngine = generator.Perturbation(key, size, shiftY, shiftX);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rendered = OwnerTextureGenerator.Render(generator.Tiles([OwnerTextureGenerator.KeyOf(key)]), size, size, [shiftY], [shiftX]);
        var fromTraining = rendered.contiguous().data<float>().ToArray();

        Assert.Equal(fromTraining.Length, fromEngine.Length);
        for (int i = 0; i < fromEngine.Length; i++)
            Assert.Equal(fromTraining[i], fromEngine[i], 6);
        // Pixel (y, x) is the tile at ((y + shiftY) mod P, (x + shiftX) mod P), so the canvas repeats every period.
        Assert.Equal(fromEngine[3 * size + 2], fromEngine[(3 + OwnerTextureGenerator.Period) * size + 2]);
    }

    [Fact]
    public void Gradients_reach_the_atoms_through_the_rendered_texture()
    {
        using var generator = new OwnerTextureGenerator();
        using var scope = NewDisposeScope();
        var texture = OwnerTextureGenerator.Render(generator.Tiles([OwnerTextureGenerator.KeyOf(Key(1)), OwnerTextureGenerator.KeyOf(Key(2))]), 24, 24, [0, 3], [1, 2]);
        texture.square().sum().backward();
        var gradient = generator.parameters().Single().grad;
        Assert.NotNull(gradient);
        Assert.True(gradient!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Running_it_without_a_key_is_refused()
    {
        using var generator = new OwnerTextureGenerator();
        using var canvas = zeros(1, 3, 32, 32);
        Assert.Throws<InvalidOperationException>(() => generator.call(canvas));
    }
}
