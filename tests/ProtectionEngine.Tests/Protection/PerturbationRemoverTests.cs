using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Protection;

public sealed class PerturbationRemoverTests
{
    private const int Size = 128, Epsilon = 10;
    private static readonly OwnerKeyring Keyring = new(Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 5 + 3)).ToArray()));

    [Fact]
    public void A_key_that_shares_one_of_two_gratings_is_refused_however_well_it_matches_and_the_right_key_is_found()
    {
        using var generator = new OwnerTextureGenerator(OwnerTextureFamily.TwoCoarseGratings);
        generator.Reset(3);
        var owner = Keyring.Derive("owner");
        using var image = Textured(generator, owner, shiftY: 5, shiftX: 11);
        var gratings = Gratings(generator, owner);
        var sharingOne = Enumerable.Range(0, 200).Select(i => Keyring.Derive($"other-{i}"))
            .Where(k => Gratings(generator, k).Intersect(gratings).Count() == 1).ToList();

        var matches = sharingOne.Select(k => PerturbationRemover.Detect(image, generator, Size, Epsilon, [k])).ToList();
        var right = PerturbationRemover.Detect(image, generator, Size, Epsilon, [.. sharingOne, owner]);

        // The case the grating check is for: on the whole texture alone some of these keys pass the bar.
        Assert.Contains(matches, m => m.Correlation >= PerturbationRemover.MinimumCorrelation);
        Assert.All(matches, m => Assert.False(m.Found, $"a key sharing one grating matched at {m.Correlation:0.00} (weakest grating {m.WeakestGrating:0.00})"));
        Assert.Equal(owner, right.Key);
        Assert.True(right.Found);
        Assert.Equal((5, 11), (right.ShiftY, right.ShiftX));
        Assert.InRange(right.WeakestGrating!.Value, 0.8, 1.2);
    }

    [Fact]
    public void Refusing_a_key_that_passes_the_whole_texture_bar_says_which_grating_failed()
    {
        var byGrating = new OwnerTextureNotFoundException("0.9.8", 0.44, 0.31);
        var whole = new OwnerTextureNotFoundException("0.9.8", 0.21, null);

        Assert.Contains("best match 0.44, but one of its main gratings carries 0.31 of the texture's amplitude, under 0.50", byGrating.Message);
        Assert.Contains("best match 0.21)", whole.Message);
        Assert.Equal(0.31, byGrating.WeakestGrating);
    }

    [Fact]
    public void A_full_band_texture_is_judged_whole()
    {
        using var generator = new OwnerTextureGenerator();
        generator.Reset(3);
        var owner = Keyring.Derive("owner");
        using var image = Textured(generator, owner, shiftY: 2, shiftX: 7);

        var match = PerturbationRemover.Detect(image, generator, Size, Epsilon, [Keyring.Derive("other"), owner]);

        Assert.Equal(owner, match.Key);
        Assert.True(match.Found);
        Assert.Null(match.WeakestGrating);
    }

    /// <summary>A smooth photo at the working size with the key's texture added at the offset, as the engine applies it.</summary>
    private static Image<Rgba32> Textured(OwnerTextureGenerator generator, OwnerKey key, int shiftY, int shiftX)
    {
        var texture = generator.Perturbation(key.Bytes, Size, shiftY, shiftX);
        var image = new Image<Rgba32>(Size, Size);
        const int plane = Size * Size;
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                byte Channel(int c, int clean) => (byte)Math.Clamp(clean + (int)Math.Round(Epsilon * texture[c * plane + y * Size + x]), 0, 255);
                image[x, y] = new Rgba32(Channel(0, 60 + x / 2), Channel(1, 100 + y / 3), Channel(2, 150 - (x + y) / 8));
            }
        }
        return image;
    }

    /// <summary>The key's gratings by torch's FFT of its tile: the frequencies (up to sign) of its two strongest conjugate pairs.</summary>
    private static HashSet<(int, int)> Gratings(OwnerTextureGenerator generator, OwnerKey key)
    {
        const int period = OwnerTextureGenerator.Period;
        using var scope = NewDisposeScope();
        var power = fft.fft2(tensor(generator.Tile(key.Bytes), [3, period, period])).abs().square().sum([0]);
        var strongest = power.flatten().topk(4).indexes.data<long>().ToArray();
        return strongest.Select(i =>
        {
            int ky = (int)(i / period), kx = (int)(i % period);
            var (a, b) = (ky > period / 2 ? ky - period : ky, kx > period / 2 ? kx - period : kx);
            return a > 0 || (a == 0 && b > 0) ? (a, b) : (-a, -b);
        }).ToHashSet();
    }
}
