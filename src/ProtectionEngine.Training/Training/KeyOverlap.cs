using TorchSharp;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// How much keys' textures look alike to the remover: for each pair of tiles, the highest normalised cross-correlation
/// over the cyclic shifts, summed over the channels, as <c>PerturbationRemover</c> scores a key against a photo's folded
/// detail (each channel without its mean, as the fold has none). On a flat photo that is the correlation a wrong key
/// gets; a grating two keys share overlaps by about the square root of the product of the shares of power it holds in each.
/// </summary>
public static class KeyOverlap
{
    /// <summary>
    /// The overlap of every unordered pair of <paramref name="tiles"/> ([N, 3, P, P], N at least 2) and the penalty on it:
    /// the mean over the pairs of the squared excess over <paramref name="margin"/> (0 for pairs at or below it). The
    /// gradient reaches the tiles through the FFT and the best shift of each pair.
    /// </summary>
    public static (Tensor Penalty, Tensor Overlaps) Of(Tensor tiles, double margin)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.dim() != 4 || tiles.shape[0] < 2)
            throw new ArgumentException("Give at least two tiles, [N, C, P, P].", nameof(tiles));
        using var scope = NewDisposeScope();
        long n = tiles.shape[0];
        var centred = tiles - tiles.mean([2, 3], keepdim: true);
        var norms = centred.square().sum([1, 2, 3]).sqrt().clamp_min(1e-8);
        var spectra = fft.fft2(centred);
        // correlation[i, j, s] = sum over channels and pixels p of a_i(p) a_j(p + s): the inverse DFT of A_i conj(A_j).
        var cross = fft.ifft2((spectra.unsqueeze(1) * spectra.unsqueeze(0).conj()).sum([2])).real;
        var best = cross.flatten(2).amax([2]) / (norms.unsqueeze(1) * norms.unsqueeze(0));
        var pairs = triu_indices(n, n, 1, device: tiles.device);
        var overlaps = best.index([pairs[0], pairs[1]]);
        var penalty = (overlaps - margin).clamp_min(0).square().mean();
        return (penalty.MoveToOuterDisposeScope(), overlaps.MoveToOuterDisposeScope());
    }
}
