using System.Text.Json.Nodes;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Tests.Support;
using static TorchSharp.torch;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.ProtectionEngine.Tests.Models;

public sealed class ModelRegistryTests
{
    [Fact]
    public void Shipped_placeholder_loads_and_says_it_is_untrained()
    {
        var registry = new ModelRegistry(TestEngine.ShippedModels);
        using var model = registry.Load("0.1.0-untrained", CPU);

        Assert.False(model.Card.Trained);
        Assert.Equal(ModelCard.UntrainedWarning, model.Card.Warning);
        Assert.Equal("untrained model: no protection claimed", ModelCard.UntrainedWarning);
        Assert.Equal(model.Card.Parameters, model.Generator.ParameterCount);
        Assert.Equal(ProtectionOptions.FallbackEpsilon, ProtectionOptions.DefaultEpsilon(model.Card));
    }

    [Fact]
    public void A_luminance_texture_model_loads_back_with_its_architecture_and_tiles()
    {
        var registry = TestEngine.SmallRegistry();
        var card = TestEngine.AddOwnerTextureModel(registry, "luma", family: OwnerTextureFamily.Luminance);
        var key = new byte[] { 1, 2, 3 };
        using var reference = new OwnerTextureGenerator(OwnerTextureFamily.Luminance);
        reference.Reset(3);

        using var model = registry.Load("luma", CPU);

        Assert.Equal(OwnerTextureFamily.Luminance.Name, model.Card.Architecture.Name);
        var loaded = Assert.IsType<OwnerTextureGenerator>(model.Generator);
        Assert.Equal(card.Parameters, loaded.ParameterCount);
        Assert.Equal(reference.Tile(key), loaded.Tile(key));
    }

    [Fact]
    public void The_shipped_active_model_is_owner_keyed_with_a_measured_claim_that_sets_its_default_epsilon()
    {
        var registry = new ModelRegistry(TestEngine.ShippedModels);
        using var model = registry.LoadActive(CPU);

        Assert.True(model.Card.Trained);
        Assert.True(model.Card.Architecture.IsOwnerKeyed);
        Assert.Null(model.Card.Warning);
        var claim = Assert.IsType<ProtectionClaim>(model.Card.Claim);
        Assert.Equal(claim.Epsilon, ProtectionOptions.DefaultEpsilon(model.Card));
        Assert.Equal(ClaimStatus.Measured, model.Card.ClaimAt(ProtectionOptions.DefaultEpsilon(model.Card)));
        Assert.Equal(model.Card.Parameters, model.Generator.ParameterCount);
        Assert.Contains(registry.List(), c => c.Version == registry.ActiveVersion);
    }

    [Fact]
    public void Saved_model_loads_with_identical_outputs()
    {
        var registry = TestEngine.SmallRegistry();
        using var first = registry.Load("test-small", CPU);
        using var second = registry.Load("test-small", CPU);
        using var input = rand(2, 3, 32, 32, generator: new TorchSharp.torch.Generator(3));
        using (no_grad())
        {
            using var a = first.Generator.call(input);
            using var b = second.Generator.call(input);
            Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
            Assert.True(a.abs().max().item<float>() <= 1f);
        }
    }

    [Fact]
    public void Tampered_weights_are_refused_at_load()
    {
        var registry = TestEngine.SmallRegistry();
        var path = Path.Combine(registry.Root, "test-small", "generator.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0x01;   // one bit of one weight
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<ModelIntegrityException>(() => registry.Load("test-small", CPU));
        Assert.Contains("SHA-256", ex.Message);
    }

    [Fact]
    public void Card_that_disagrees_with_its_folder_or_architecture_is_refused()
    {
        var registry = TestEngine.SmallRegistry();
        var cardPath = Path.Combine(registry.Root, "test-small", ModelCard.FileName);
        var original = File.ReadAllText(cardPath);

        var renamed = JsonNode.Parse(original)!;
        renamed["version"] = "something-else";
        File.WriteAllText(cardPath, renamed.ToJsonString());
        Assert.Throws<ModelIntegrityException>(() => registry.Load("test-small", CPU));

        var resized = JsonNode.Parse(original)!;
        resized["architecture"]!["baseChannels"] = 8;
        File.WriteAllText(cardPath, resized.ToJsonString());
        Assert.Throws<ModelIntegrityException>(() => registry.Load("test-small", CPU));

        var unknown = JsonNode.Parse(original)!;
        unknown["architecture"]!["name"] = "diffusion-v9";
        File.WriteAllText(cardPath, unknown.ToJsonString());
        Assert.Contains("unknown architecture 'diffusion-v9'", Assert.Throws<ModelIntegrityException>(() => registry.Load("test-small", CPU)).Message);

        // An owner-texture card over a resnet's weights: the tensors do not fit, and loading says so rather than crashing.
        var swapped = JsonNode.Parse(original)!;
        swapped["architecture"]!["name"] = OwnerTextureFamily.Colour.Name;
        File.WriteAllText(cardPath, swapped.ToJsonString());
        Assert.Throws<ModelIntegrityException>(() => registry.Load("test-small", CPU));

        File.WriteAllText(cardPath, "{ not json");
        Assert.Throws<ModelIntegrityException>(() => registry.Load("test-small", CPU));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(".hidden")]
    public void Version_names_cannot_leave_the_registry(string version)
    {
        var registry = TestEngine.SmallRegistry();
        Assert.Throws<ModelIntegrityException>(() => registry.Load(version, CPU));
    }

    [Fact]
    public void Versions_are_listed_and_activation_switches_the_index()
    {
        var registry = TestEngine.SmallRegistry();
        TestEngine.AddSmallModel(registry, "test-second", seed: 11);

        Assert.Equal(["test-second", "test-small"], registry.List().Select(c => c.Version).Order());
        Assert.Equal("test-small", registry.ActiveVersion);
        registry.SetActive("test-second");
        Assert.Equal("test-second", registry.ActiveVersion);
        Assert.Throws<ModelIntegrityException>(() => registry.SetActive("missing"));
        Assert.Throws<InvalidOperationException>(() => TestEngine.AddSmallModel(registry, "test-second"));
    }
}
