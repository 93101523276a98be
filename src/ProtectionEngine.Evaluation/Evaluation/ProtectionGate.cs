using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Surrogate;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// A quick check before a new generator version goes live: on the same held-out photos, the candidate must be marked
/// trained, keep PSNR above a floor, and move the surrogate's features at least as far as the active version does.
/// Feature displacement is a proxy, not the victim benchmark (docs/evaluation.md): it is cheap enough to run after every
/// retraining, and a version that fails it would not protect better. A card's measured claim comes only from the
/// benchmark, so the gate never lets a candidate without one replace an active version that has one.
/// </summary>
public sealed class ProtectionGate(ResNet18Surrogate surrogate)
{
    /// <summary>The surrogate needs a multiple of 32; the generator runs at any multiple of 4.</summary>
    public const int ImageSize = 128;

    /// <summary>The pseudo-owner an owner-keyed model is measured with: the gate has photos, not owners.</summary>
    private static readonly byte[] GateOwner = System.Security.Cryptography.SHA256.HashData("uploadguard-gate-owner"u8);

    public GateMeasurement Measure(LoadedModel model, ImageDataset photos, int epsilon)
    {
        if (photos.ImageSize != ImageSize)
            throw new ArgumentException($"Gate photos must be {ImageSize} px.", nameof(photos));
        double displacement = 0, psnr = 0;
        int count = 0;
        using var noGrad = no_grad();
        for (int start = 0; start < photos.Count; start += 16)
        {
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(16, photos.Count - start)).ToList();
            var clean = photos.Batch(indices).to(model.Device);
            var delta = (model.Generator is OwnerTextureGenerator keyed ? OwnerTexture(keyed, indices.Count, model.Device) : model.Generator.call(clean)) * (epsilon / 255f);
            var protectedImages = (clean + delta).clamp(0, 1).mul(255).round().div(255);
            var before = surrogate.call(clean.cpu() * 255);
            var after = surrogate.call(protectedImages.cpu() * 255);
            displacement += (1 - nn.functional.cosine_similarity(before, after, dim: 1)).sum().item<float>();
            var mse = (protectedImages - clean).pow(2).mean([1, 2, 3]).cpu();
            psnr += (10 * (1 / mse.clamp_min(1e-10)).log10()).sum().item<float>();
            count += indices.Count;
        }
        return new GateMeasurement(model.Version, model.Card.Trained, displacement / count, psnr / count, model.Card is { Trained: true, Claim: not null });
    }

    private static Tensor OwnerTexture(OwnerTextureGenerator keyed, int batch, Device device) =>
        tensor(keyed.Perturbation(GateOwner, ImageSize, 0, 0), [1, 3, ImageSize, ImageSize]).to(device).expand(batch, -1, -1, -1);

    public static GateDecision Decide(GateMeasurement candidate, GateMeasurement? active, double minimumPsnr)
    {
        var reasons = new List<string>();
        if (!candidate.Trained)
            reasons.Add($"{candidate.Version} is not marked trained ({ModelCard.UntrainedWarning})");
        if (candidate.MeanPsnr < minimumPsnr)
            reasons.Add($"mean PSNR {candidate.MeanPsnr:0.0} dB is below {minimumPsnr:0.0} dB");
        if (active is { Claimed: true } && !candidate.Claimed)
            reasons.Add($"the active {active.Version} has a measured protection claim and {candidate.Version} has none; measure it with the benchmark and activate it by hand");
        else if (active is { Trained: true } && candidate.FeatureDisplacement < active.FeatureDisplacement)
            reasons.Add($"feature displacement {candidate.FeatureDisplacement:0.0000} is below the active {active.Version}'s {active.FeatureDisplacement:0.0000}");
        return new GateDecision(reasons.Count == 0, candidate, active, reasons);
    }
}
