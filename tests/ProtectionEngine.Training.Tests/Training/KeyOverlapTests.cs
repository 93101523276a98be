using TorchSharp;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Training;

public sealed class KeyOverlapTests
{
    private const int Period = OwnerTextureGenerator.Period;

    [Fact]
    public void A_shifted_copy_overlaps_fully_another_channel_not_at_all_and_only_the_excess_over_the_margin_is_penalised()
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(7);
        var tile = randn([1, 3, Period, Period], generator: random);
        var shifted = tile.roll([5, 11], [2, 3]);
        // The same pattern in red only, and in green only: no channel in common.
        var red = zeros(1, 3, Period, Period).index_copy(1, tensor(new long[] { 0 }), tile.narrow(1, 0, 1));
        var green = zeros(1, 3, Period, Period).index_copy(1, tensor(new long[] { 1 }), tile.narrow(1, 0, 1));

        var (samePenalty, same) = KeyOverlap.Of(cat([tile, shifted]), margin: 0.3);
        var (apartPenalty, apart) = KeyOverlap.Of(cat([red, green]), margin: 0.3);

        Assert.Equal(1, same.item<float>(), 4);
        Assert.Equal(0.49, samePenalty.item<float>(), 4);
        Assert.Equal(0, apart.item<float>(), 4);
        Assert.Equal(0, apartPenalty.item<float>());
    }

    [Fact]
    public void The_overlap_of_a_pair_is_the_best_correlation_over_the_cyclic_shifts()
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(3);
        var tiles = randn([3, 3, Period, Period], generator: random);

        var (_, overlaps) = KeyOverlap.Of(tiles, margin: 0);

        // Unordered pairs (0, 1), (0, 2), (1, 2), each against a direct search over the 256 shifts.
        var values = tiles.data<float>().ToArray();
        int plane = 3 * Period * Period;
        double Direct(int i, int j)
        {
            double Centred(int t, int c, int y, int x) =>
                values[t * plane + (c * Period + y) * Period + x] - Enumerable.Range(0, Period * Period).Average(p => values[t * plane + c * Period * Period + p]);
            double Norm(int t) => Math.Sqrt(Enumerable.Range(0, 3).Sum(c => Enumerable.Range(0, Period * Period).Sum(p => Math.Pow(Centred(t, c, p / Period, p % Period), 2))));
            double best = double.NegativeInfinity;
            for (int dy = 0; dy < Period; dy++)
                for (int dx = 0; dx < Period; dx++)
                    best = Math.Max(best, Enumerable.Range(0, 3).Sum(c => Enumerable.Range(0, Period * Period)
                        .Sum(p => Centred(i, c, p / Period, p % Period) * Centred(j, c, (p / Period + dy) % Period, (p % Period + dx) % Period))));
            return best / (Norm(i) * Norm(j));
        }
        Assert.Equal([Direct(0, 1), Direct(0, 2), Direct(1, 2)], overlaps.data<float>().ToArray().Select(v => (double)v), (a, b) => Math.Abs(a - b) < 1e-4);
    }

    // Margin 0: every pair pulls, so the gradient's reach through the projection and the best shifts shows in the mean;
    // at the trainer's margin few random pairs of a fresh generator lie above it.
    [Fact]
    public void Descending_the_penalty_moves_a_generators_atoms_so_that_its_keys_overlap_less()
    {
        using var scope = NewDisposeScope();
        using var generator = new OwnerTextureGenerator(OwnerTextureFamily.TwoCoarseGratings);
        generator.Reset(5);
        var random = new Random(5);
        var keys = Enumerable.Range(0, 16).Select(_ =>
        {
            var key = new byte[32];
            random.NextBytes(key);
            return OwnerTextureGenerator.KeyOf(key);
        }).ToList();
        using var optimizer = optim.Adam(generator.parameters(), 0.05);

        double Overlap()
        {
            using var noGrad = no_grad();
            return KeyOverlap.Of(generator.Tiles(keys), margin: 0).Overlaps.mean().item<float>();
        }
        double before = Overlap();
        for (int step = 0; step < 40; step++)
        {
            optimizer.zero_grad();
            KeyOverlap.Of(generator.Tiles(keys), margin: 0).Penalty.backward();
            optimizer.step();
        }

        Assert.True(Overlap() < before * 0.8, $"mean overlap {before:0.000} -> {Overlap():0.000}");
    }

    [Fact]
    public void Fewer_than_two_tiles_are_refused()
    {
        using var one = zeros(1, 3, Period, Period);
        Assert.Throws<ArgumentException>(() => KeyOverlap.Of(one, 0.3));
    }
}
