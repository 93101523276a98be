using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;
using UploadGuard.ProtectionEngine.Models.ResNetGenerator;

namespace UploadGuard.ProtectionEngine.Tests.Models;

public sealed class GeneratorCatalogTests
{
    public static TheoryData<string> FamilyNames() => [.. GeneratorCatalog.Families.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(FamilyNames))]
    public void Each_family_is_found_by_its_name_and_builds_a_module_of_its_own_architecture(string name)
    {
        var family = GeneratorCatalog.Find(name);

        Assert.NotNull(family);
        Assert.Equal(name, family.Architecture.Name);
        Assert.Same(family, family.Architecture.Family);
        using var module = family.Create(family.Architecture);
        Assert.Equal(family.Architecture, module.Architecture);
        Assert.True(module.ParameterCount > 0);
        if (family.TrainingName is { } trainingName)
            Assert.Same(family, GeneratorCatalog.FromTrainingName(trainingName));
    }

    [Fact]
    public void Names_are_unique_and_training_offers_the_owner_texture_families_in_catalog_order()
    {
        Assert.Equal(GeneratorCatalog.Families.Count, GeneratorCatalog.Families.Select(f => f.Name).Distinct().Count());
        Assert.Equal(["owner-texture", "owner-texture-luma", "owner-texture-dual", "owner-texture-lowpass", "owner-texture-sparse", "owner-texture-sparse-lowpass", "owner-texture-two-gratings", "owner-texture-two-coarse-gratings", "owner-texture-two-wide-gratings", "owner-texture-two-coarse-gratings-64"], GeneratorCatalog.TrainingNames);
        Assert.Null(ResNetGeneratorFamily.Instance.TrainingName);
        Assert.All(GeneratorCatalog.Families.OfType<OwnerTextureFamily>(), f => Assert.True(f.IsOwnerKeyed));
    }

    [Fact]
    public void An_unknown_name_is_not_a_family()
    {
        Assert.Null(GeneratorCatalog.Find("owner-texture-v9"));
        Assert.False(new GeneratorArchitecture("owner-texture-v9", 0, 0).IsKnown);
        var refused = Assert.Throws<ArgumentException>(() => GeneratorCatalog.FromTrainingName("resnet-generator"));
        Assert.Contains("owner-texture-dual", refused.Message);
    }
}
