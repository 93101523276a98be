using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Tests.Support;
using UploadGuard.Tests.Common;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.ProtectionEngine.Tests.Protection;

public sealed class OwnerKeyedProtectionTests : IAsyncLifetime
{
    private static readonly OwnerKeyring Keyring = new(Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 7 + 1)).ToArray()));
    private ProtectionEngineHost engine = null!;

    public Task InitializeAsync()
    {
        engine = TestEngine.OwnerKeyed();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await engine.DisposeAsync();

    private async Task<ProtectionResult> ProtectAsync(byte[] photo, string? owner, int epsilon = 8) =>
        await engine.Protector.ProtectAsync(new MemoryStream(photo), new ProtectionOptions
        {
            Epsilon = epsilon,
            Format = OutputFormat.Png,
            Owner = owner is null ? null : Keyring.Derive(owner),
        });

    [Fact]
    public async Task An_owner_keyed_model_refuses_a_photo_without_an_owner()
    {
        var photo = TestImages.EncodedPhoto(64, 48, ImageFormatKind.Png);
        var refusal = await Assert.ThrowsAsync<OwnerKeyRequiredException>(() => ProtectAsync(photo, owner: null));
        Assert.Contains("names no owner", refusal.Message);
    }

    [Fact]
    public async Task Without_an_epsilon_the_shipped_model_protects_at_the_budget_its_claim_was_measured_at()
    {
        await using var shipped = ProtectionEngineHost.Create(new EngineOptions { ModelsPath = TestEngine.ShippedModels, Device = "cpu" }, new ImagingOptions(), new BatchingOptions());
        var card = shipped.Models.Card;
        var photo = TestImages.EncodedPhoto(200, 150, ImageFormatKind.Png, seed: 9);

        var result = await shipped.Protector.ProtectAsync(new MemoryStream(photo), new ProtectionOptions { Format = OutputFormat.Png, Owner = Keyring.Derive("alice") });

        Assert.Equal(card.Claim!.Epsilon, result.Report.Epsilon);
        Assert.Equal(ClaimStatus.Measured, result.Report.Claim);
        using var original = TestImages.Decode(photo);
        using var output = TestImages.Decode(result.Data);
        Assert.InRange(PixelDifference.MaxAbs(original, output), card.Claim.Epsilon - 2, card.Claim.Epsilon);
    }

    [Fact]
    public async Task Protection_stays_within_epsilon_and_reports_the_key_id_only()
    {
        var photo = TestImages.EncodedPhoto(300, 200, ImageFormatKind.Png, seed: 4);
        var result = await ProtectAsync(photo, "alice", epsilon: 6);

        using var original = TestImages.Decode(photo);
        using var output = TestImages.Decode(result.Data);
        Assert.InRange(PixelDifference.MaxAbs(original, output), 1, 6);
        Assert.Equal(Keyring.CurrentKeyId, result.Report.OwnerKeyId);
        Assert.Equal(6, result.Report.LinfDecoded);
    }

    [Fact]
    public async Task The_same_photo_and_owner_give_the_same_output_and_other_photos_other_offsets()
    {
        var photo = TestImages.EncodedPhoto(96, 96, ImageFormatKind.Png, seed: 2);
        var first = await ProtectAsync(photo, "alice");
        var second = await ProtectAsync(photo, "alice");
        Assert.Equal(first.Data, second.Data);

        var key = Keyring.Derive("alice");
        var offsets = Enumerable.Range(0, 12)
            .Select(s => OwnerTextureGenerator.Offset(key.Bytes, TestImages.EncodedPhoto(96, 96, ImageFormatKind.Png, seed: 100 + s)))
            .Distinct().Count();
        Assert.True(offsets > 6, $"only {offsets} distinct offsets over 12 photos");
    }

    [Fact]
    public async Task The_key_holder_restores_a_lossless_photo_and_another_owner_removes_nothing()
    {
        var photo = TestImages.EncodedPhoto(320, 240, ImageFormatKind.Png, seed: 11);
        var result = await ProtectAsync(photo, "alice");

        Assert.Throws<OwnerTextureNotFoundException>(() => engine.Unprotector.Unprotect(result.Data, Keyring.DeriveAll("bob"), 8, OutputFormat.Png));
        var restored = engine.Unprotector.Unprotect(result.Data, Keyring.DeriveAll("alice"), 8, OutputFormat.Png);

        Assert.Equal(Keyring.CurrentKeyId, restored.KeyId);
        using var original = TestImages.Decode(photo);
        using var output = TestImages.Decode(restored.Data);
        double within = PixelDifference.ShareWithinOneLevel(original, output);
        Assert.True(within >= 0.99, $"{within:P2} of values within one level");
    }

    [Theory]
    [InlineData(255, 0.9f)]
    [InlineData(255, 0.05f)]
    [InlineData(0, -0.9f)]
    [InlineData(0, -0.05f)]
    public void Restore_takes_a_value_pushed_into_the_limit_to_have_been_at_the_limit(byte original, float delta)
    {
        byte perturbed = PerturbationApplier.Perturb(original, delta, 12);

        Assert.Equal(original, perturbed);
        Assert.Equal(original, PerturbationApplier.Restore(perturbed, delta, 12));
    }

    [Fact]
    public void Restore_undoes_Perturb_wherever_the_original_was_not_clipped()
    {
        var random = new Random(1);
        for (int i = 0; i < 100_000; i++)
        {
            byte original = (byte)random.Next(256);
            float delta = (float)(2 * random.NextDouble() - 1);
            int epsilon = random.Next(1, 33);
            byte perturbed = PerturbationApplier.Perturb(original, delta, epsilon);
            if (perturbed is 0 or 255)
                continue;
            Assert.Equal(original, PerturbationApplier.Restore(perturbed, delta, epsilon));
        }
    }
}
