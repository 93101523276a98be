using System.Collections.Concurrent;
using System.Security.Cryptography;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Models.OwnerTexture;

/// <summary>
/// The owner-keyed protector. An owner's key picks <see cref="AtomsPerKey"/> of <see cref="AtomCount"/> learned texture
/// atoms (with signs, a colour order and an orientation: <see cref="KeyOf"/>), whose sum is one periodic tile of <see cref="Period"/> x <see cref="Period"/> canvas pixels,
/// repeated over the whole working canvas at a per-photo offset. The canvas spans the photo, so the texture's scale is
/// relative to the photo and survives any resize the way the photo's own content does. Every photo of an owner carries
/// the same texture: a model that learns the owner from the photos can learn it instead of the face, and it is made to
/// be learned faster (min-min training against stand-in victims, <c>Training/OwnerTextureTrainer</c>). The offset
/// differs per photo, so averaging an owner's photos pixel by pixel cancels the texture rather than revealing it.
/// </summary>
/// <remarks>
/// The texture does not depend on the photo's pixels, only on the key, the canvas and the offset. That is what lets the
/// key holder find the offset in a protected photo and take the perturbation off exactly
/// (<see cref="Protection.PerturbationRemover"/>), and what an attacker without the key cannot do.
/// </remarks>
public sealed class OwnerTextureGenerator : GeneratorModule
{
    /// <summary>How many atoms the families before <see cref="OwnerTextureFamily.TwoCoarseGratings64"/> hold.</summary>
    public const int DefaultAtoms = 32;

    public const int AtomsPerKey = 2;

    /// <summary>The tile's side in canvas pixels: a 128-px canvas holds 8 periods across the photo.</summary>
    public const int Period = 16;

    /// <summary>
    /// The tile is tanh(Gain x z) for a texture z of unit RMS, so its RMS is at most tanh(1) = 0.76 of epsilon
    /// (tanh squared is concave in z squared): at epsilon 8 at least 32.4 dB PSNR before the 8-bit projection.
    /// </summary>
    public const double Gain = 1.0;

    public const string AtomsName = "atoms";

    /// <summary>
    /// The low-pass, sparse-lowpass and two-gratings families keep the spatial frequencies of at most this many cycles
    /// per period (two-coarse-gratings keeps 3; the radius is the family's, <see cref="OwnerTextureFamily.LowPassRadius"/>) (periods of 4 canvas
    /// pixels or longer): about one canvas pixel is one pixel of an attacker's 64-px face crop, and the engine's bilinear
    /// upsampling and the attacker's downsampling take much of what is finer, so on the photo it cost PSNR and reached
    /// the victim weakened (docs/evaluation.md, "what decides a draw").
    /// </summary>
    public const double LowPassRadius = 4;

    /// <summary>
    /// The sparse and sparse-lowpass families keep this many frequency bins of the tile's DFT (conjugate pairs count
    /// twice): four gratings. The two-gratings families keep 4 (<see cref="OwnerTextureFamily.SparseBins"/>).
    /// </summary>
    public const int SparseBins = 8;

    private readonly Parameter atoms;

    private readonly AtomLayout layout;

    /// <summary>Channels of each atom: 3 (colour), 1 (luminance) or 4 (chroma in the first three, luminance in the fourth).</summary>
    private readonly int atomChannels;

    private readonly double? lowPassRadius;

    private readonly int? sparseBins;

    public OwnerTextureGenerator() : this(OwnerTextureFamily.Colour)
    {
    }

    public OwnerTextureGenerator(OwnerTextureFamily family) : base(nameof(OwnerTextureGenerator))
    {
        ArgumentNullException.ThrowIfNull(family);
        Architecture = family.Architecture;
        layout = family.Layout;
        atomChannels = layout switch
        {
            AtomLayout.Luminance => 1,
            AtomLayout.ChromaAndLuminance => 4,
            _ => 3,
        };
        AtomCount = family.Atoms;
        atoms = Parameter(randn(AtomCount, atomChannels, Period, Period));
        lowPassRadius = family.LowPassRadius;
        sparseBins = family.SparseBins;
        RegisterComponents();
    }

    public override GeneratorArchitecture Architecture { get; }

    public override long ParameterCount => atoms.numel();

    /// <summary>How many atoms a key picks from (the family's <see cref="OwnerTextureFamily.Atoms"/>).</summary>
    public int AtomCount { get; }

    /// <summary>How many DFT bins each tile keeps (the family's <see cref="OwnerTextureFamily.SparseBins"/>), or null for full-band tiles.</summary>
    public int? SparseBinCount => sparseBins;

    /// <summary>Draws the atoms afresh (Gaussian) from <paramref name="seed"/>: the procedural baseline before training.</summary>
    public void Reset(int seed)
    {
        using var noGrad = no_grad();
        using var random = new Generator(unchecked((ulong)seed));
        using var fresh = randn([AtomCount, atomChannels, Period, Period], generator: random);
        atoms.copy_(fresh);
    }

    /// <summary>
    /// What a key makes of the atoms: <see cref="AtomsPerKey"/> distinct atoms with signs (+-1 entries of the code,
    /// zero elsewhere), one of the 6 orders of the colour channels and one of the 8 rotations and mirrorings of the
    /// square, all taken from SHA-256 of the key (any length) so that related keys share nothing. Two keys that happen
    /// to share an atom still draw different textures unless they also share its orientation and colours (1 in 48),
    /// but victims miss such owners more often (20 against 12 % of owner results) (docs/evaluation.md, "Owners who share an atom"); more
    /// <paramref name="atoms"/> make sharing rarer (64 measured worse than 32 all the same: docs/evaluation.md, "64
    /// atoms"). A power of two up to 256 keeps every atom equally likely.
    /// </summary>
    public static TextureKey KeyOf(ReadOnlySpan<byte> key, int atoms = DefaultAtoms)
    {
        // Fewer than a key's atoms would never finish picking; past 256 a hash byte cannot reach the rest.
        ArgumentOutOfRangeException.ThrowIfLessThan(atoms, AtomsPerKey);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(atoms, 256);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(key, hash);
        var code = new float[atoms];
        int chosen = 0;
        for (int i = 0; chosen < AtomsPerKey; i++)
        {
            // A byte that repeats an atom already chosen is skipped; past the 16th byte the offset i / 16 keeps the loop finite.
            int atom = (hash[i % 16] + i / 16) % atoms;
            if (code[atom] != 0)
                continue;
            code[atom] = (hash[31 - chosen] & 1) == 0 ? 1f : -1f;
            chosen++;
        }
        return new TextureKey(code, hash[16] % ChannelOrders.Length, hash[17] % 8);
    }

    /// <summary>What <see cref="KeyOf"/> makes of a key for this generator's <see cref="AtomCount"/>.</summary>
    public TextureKey KeyFor(ReadOnlySpan<byte> key) => KeyOf(key, AtomCount);

    /// <summary>The atoms <see cref="KeyOf"/> picks for a key, in ascending order.</summary>
    public static int[] AtomsOf(ReadOnlySpan<byte> key, int atoms = DefaultAtoms) =>
        [.. KeyOf(key, atoms).Code.Select((weight, atom) => (weight, atom)).Where(a => a.weight != 0).Select(a => a.atom)];

    // TorchSharp's operators turn every number (and the implicit alpha of 1 in +) into a temporary Scalar whose
    // handle goes to libtorch with nothing keeping the Scalar alive: its finalizer can free the native scalar during
    // the call, and libtorch then fails with "Expected false to be true" in c10::Scalar::toFloat (seen in training
    // runs and once in the engine benchmark). The tile is what every protected photo and every removal draws, so its
    // arithmetic uses Scalars held for the life of the process.
    private static readonly Scalar One = 1.0.ToScalar();
    private static readonly Scalar HalfPower = Math.Sqrt(0.5).ToScalar();
    private static readonly Scalar GainScalar = Gain.ToScalar();
    private static readonly Scalar RmsFloor = 1e-8.ToScalar();
    // Tensor.square() is pow with a temporary Scalar 2 (a training run died on it: "Unknown scalar type" in pow); the
    // same pow with this one is the same kernel, so the same bits.
    private static readonly Scalar Two = 2.0.ToScalar();

    // Static, not a field: the module would register a tensor field as a buffer, and it is fixed by the family, not a weight.
    private static readonly ConcurrentDictionary<double, Lazy<Tensor>> LowPassMatrices = new();

    private static readonly long[][] ChannelOrders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    /// <summary>Each key's tile in [-1, 1], [N, 3, Period, Period].</summary>
    public Tensor Tiles(IReadOnlyList<TextureKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0 || keys.Any(k => k.Code.Length != AtomCount))
            throw new ArgumentException($"Give at least one key, each with {AtomCount} code entries.", nameof(keys));
        using var scope = NewDisposeScope();
        var flatAtoms = atoms.view(AtomCount, -1);
        var projection = lowPassRadius is double radius
            ? LowPassMatrices.GetOrAdd(radius, r => new Lazy<Tensor>(() => LowPassProjection(r))).Value.to(atoms.device)
            : null;
        // One key at a time: a matrix product's kernel, and so its last bits, depend on how many rows it gets, and the
        // tiles training fits in batches of keys must be the ones the engine and removal draw alone, to the bit. No mean
        // per channel (a flat tint is neither texture nor hidden).
        var z = cat(keys.Select(key =>
        {
            var one = tensor(key.Code, [1, AtomCount], device: atoms.device).matmul(flatAtoms).view(atomChannels, Period * Period);
            one = one - one.mean([1], keepdim: true);
            return (projection is null ? one : one.matmul(projection)).view(1, atomChannels, Period, Period);
        }).ToList(), 0);
        // Unit RMS per tile. Dual atoms: the colour part loses its mean over channels (pure chroma, orthogonal to the
        // luminance part, so neither can cancel the other) and each part gets half the power, so that greying or chroma
        // subsampling leaves half of it.
        if (layout == AtomLayout.ChromaAndLuminance)
        {
            var chroma = z.narrow(1, 0, 3);
            chroma = chroma - chroma.mean([1], keepdim: true);
            z = cat([UnitRms(chroma), UnitRms(z.narrow(1, 3, 1))], 1).mul(HalfPower);
        }
        else
        {
            z = UnitRms(z);
        }
        var tiles = new List<Tensor>(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            var tile = layout == AtomLayout.Luminance
                ? z[i].expand(3, Period, Period)
                : z[i].narrow(0, 0, 3).index_select(0, tensor(ChannelOrders[keys[i].ChannelOrder], device: atoms.device));
            if (layout == AtomLayout.ChromaAndLuminance)
                tile = tile.add(z[i].narrow(0, 3, 1), One);
            int dihedral = keys[i].Dihedral;
            if ((dihedral & 4) != 0)
                tile = tile.transpose(1, 2);
            if ((dihedral & 1) != 0)
                tile = tile.flip(1);
            if ((dihedral & 2) != 0)
                tile = tile.flip(2);
            if (sparseBins is int bins)
            {
                // A real tile's bins come in conjugate pairs of equal power; rounding can split a pair at the cut, so
                // the kept set is closed under conjugation (a self-conjugate Nyquist bin can make it one more).
                var spectrum = fft.fft2(tile);
                var power = spectrum.abs().pow(Two).sum([0]);
                var keep = zeros_like(power).flatten().index_fill_(0, power.add(Conjugate(power), One).flatten().topk(bins).indexes, One).view(Period, Period);
                tile = UnitRms(fft.ifft2(spectrum * keep.maximum(Conjugate(keep))).real.unsqueeze(0)).squeeze(0);
            }
            tiles.Add(tile);
        }
        return tanh(stack(tiles).mul(GainScalar)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The tiles repeated over a canvas of <paramref name="height"/> x <paramref name="width"/>, each shifted by its own
    /// offset: pixel (y, x) of image n is tile n at ((y + shiftY[n]) mod Period, (x + shiftX[n]) mod Period).
    /// </summary>
    public static Tensor Render(Tensor tiles, long height, long width, IReadOnlyList<int> shiftY, IReadOnlyList<int> shiftX)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentNullException.ThrowIfNull(shiftY);
        ArgumentNullException.ThrowIfNull(shiftX);
        long n = tiles.shape[0];
        if (shiftY.Count != n || shiftX.Count != n)
            throw new ArgumentException("One offset per tile.", nameof(shiftY));
        using var scope = NewDisposeScope();
        long repeatY = (height + 2 * Period - 1) / Period, repeatX = (width + 2 * Period - 1) / Period;
        var images = new List<Tensor>((int)n);
        for (int i = 0; i < n; i++)
        {
            var repeated = tiles[i].repeat(1, repeatY, repeatX);
            images.Add(repeated.narrow(1, Mod(shiftY[i]), height).narrow(2, Mod(shiftX[i]), width));
        }
        return stack(images).MoveToOuterDisposeScope();
    }

    /// <summary>The key's tile, CHW floats in [-1, 1] (3 x <see cref="Period"/> x <see cref="Period"/>).</summary>
    public float[] Tile(ReadOnlySpan<byte> key)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Tiles([KeyFor(key)]).cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>
    /// One photo's perturbation on the working canvas (CHW floats in [-1, 1], <paramref name="size"/> square): the
    /// key's tile repeated from the offset, as <see cref="Render"/> draws it.
    /// </summary>
    public float[] Perturbation(ReadOnlySpan<byte> key, int size, int shiftY, int shiftX) => Repeat(Tile(key), size, shiftY, shiftX);

    /// <summary>A tile (<see cref="Tile"/>) repeated over a <paramref name="size"/> square from the offset.</summary>
    public static float[] Repeat(float[] tile, int size, int shiftY, int shiftX)
    {
        ArgumentNullException.ThrowIfNull(tile);
        const int plane = Period * Period;
        var canvas = new float[3 * size * size];
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < size; y++)
            {
                int row = c * plane + (int)Mod(y + shiftY) * Period, target = (c * size + y) * size;
                for (int x = 0; x < size; x++)
                    canvas[target + x] = tile[row + Mod(x + shiftX)];
            }
        }
        return canvas;
    }

    /// <summary>The per-photo offset: two bytes of an HMAC of the photo under the key, so it is stable for one photo and unrelated across photos.</summary>
    public static (int ShiftY, int ShiftX) Offset(ReadOnlySpan<byte> key, ReadOnlySpan<byte> photo)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, photo, mac);
        return (mac[0] % Period, mac[1] % Period);
    }

    /// <summary>
    /// The real matrix that keeps a periodic tile's spatial frequencies within <paramref name="radius"/> cycles per
    /// period (an inverse DFT of the kept part of its DFT, as one matrix so that training's gradient passes through it):
    /// symmetric and idempotent, a projection.
    /// </summary>
    internal static Tensor LowPassProjection(double radius)
    {
        const int n = Period * Period;
        var kept = new List<(int Ky, int Kx)>();
        for (int ky = -Period / 2; ky < Period / 2; ky++)
        {
            for (int kx = -Period / 2; kx < Period / 2; kx++)
            {
                if (ky * ky + kx * kx <= radius * radius)
                    kept.Add((ky, kx));
            }
        }
        var matrix = new float[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int dy = i / Period - j / Period, dx = i % Period - j % Period;
                double sum = kept.Sum(k => Math.Cos(2 * Math.PI * (k.Ky * dy + k.Kx * dx) / Period));
                matrix[i * n + j] = (float)(sum / n);
            }
        }
        // Made inside whichever dispose scope first asks for it, and kept for the life of the process.
        return tensor(matrix, [n, n]).DetachFromDisposeScope();
    }

    /// <summary>A [Period, Period] map of DFT bins read at the negated frequencies (bin k moves to -k mod Period).</summary>
    private static Tensor Conjugate(Tensor bins) => bins.flip(0, 1).roll([1, 1], [0, 1]);

    private static Tensor UnitRms(Tensor z) => z / z.pow(Two).mean([1, 2, 3], keepdim: true).add(RmsFloor, One).sqrt();

    public override Tensor forward(Tensor input) =>
        throw new InvalidOperationException("An owner-keyed model draws its perturbation from the owner's key, not from the photo alone; give the owner.");

    private static int Mod(int shift) => ((shift % Period) + Period) % Period;
}
