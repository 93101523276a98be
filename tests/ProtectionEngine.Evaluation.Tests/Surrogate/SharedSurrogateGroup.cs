namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

/// <summary>
/// Test classes that load the ResNet-18 surrogate share one and never run beside each other:
/// each is heavy on the two CPU cores a test machine has.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedSurrogateGroup : ICollectionFixture<PretrainedSurrogateFixture>
{
    public const string Name = "ResNet-18 surrogate";
}
