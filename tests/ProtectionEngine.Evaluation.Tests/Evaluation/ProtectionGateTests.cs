using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Datasets;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Tests.Support;
using UploadGuard.ProtectionEngine.Tests.Surrogate;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

[Collection(SharedSurrogateGroup.Name)]
public sealed class ProtectionGateTests(PretrainedSurrogateFixture surrogate)
{
    private static GateMeasurement Figures(string version, double displacement, bool trained = true, bool claimed = false) =>
        new(version, trained, displacement, MeanPsnr: 35, claimed);

    /// <summary>An image as the dataset holds it: 8-bit RGB planes, CHW.</summary>
    private static byte[] Planes(Image<Rgba32> image)
    {
        using (image)
        {
            int plane = image.Width * image.Height;
            var planes = new byte[3 * plane];
            for (int y = 0; y < image.Height; y++)
            {
                for (int x = 0; x < image.Width; x++)
                {
                    var p = image[x, y];
                    int i = y * image.Width + x;
                    (planes[i], planes[plane + i], planes[2 * plane + i]) = (p.R, p.G, p.B);
                }
            }
            return planes;
        }
    }

    [Fact]
    public void A_trained_candidate_that_moves_features_further_than_an_unclaimed_active_passes()
    {
        var decision = ProtectionGate.Decide(Figures("new", 0.2), Figures("old", 0.1), minimumPsnr: 30);
        Assert.True(decision.Passed, string.Join("; ", decision.Reasons));
    }

    [Fact]
    public void A_candidate_without_a_claim_never_replaces_an_active_version_with_one_however_far_it_moves_features()
    {
        var decision = ProtectionGate.Decide(Figures("new", 0.9), Figures("owner-keyed", 0.01, claimed: true), minimumPsnr: 30);

        Assert.False(decision.Passed);
        Assert.Contains(decision.Reasons, r => r.Contains("measured protection claim", StringComparison.Ordinal));
    }

    [Fact]
    public void Untrained_and_blurring_candidates_are_refused_with_each_reason()
    {
        var decision = ProtectionGate.Decide(new GateMeasurement("new", false, 0.5, 20), null, minimumPsnr: 30);

        Assert.False(decision.Passed);
        Assert.Equal(2, decision.Reasons.Count);
    }

    [Fact]
    public void The_shipped_owner_keyed_model_is_measured_with_a_pseudo_owner_and_reports_its_claim()
    {
        var registry = new ModelRegistry(TestEngine.ShippedModels);
        using var model = registry.LoadActive(CPU);
        Assert.True(model.Card.Architecture.IsOwnerKeyed);
        var photos = Enumerable.Range(0, 3).Select(i => Planes(TestImages.Photo(ProtectionGate.ImageSize, ProtectionGate.ImageSize, seed: i))).ToList();
        var dataset = new ImageDataset("test photos", ProtectionGate.ImageSize, photos, ["a", "b", "c"], new DatasetLoadStatistics(3, 3, 0, 0, 3));

        var measured = new ProtectionGate(surrogate.Model).Measure(model, dataset, epsilon: 10);

        Assert.True(measured.Claimed);
        Assert.InRange(measured.FeatureDisplacement, 1e-6, 1);
        // A +-10 texture: about 10 / 255 RMS at most, so a PSNR in the low 30s.
        Assert.InRange(measured.MeanPsnr, 28, 45);
    }
}
