namespace UploadGuard.ProtectionEngine.Tests.Training;

/// <summary>
/// Test classes that load the ResNet-18 surrogate or run training share one surrogate and never run beside each other:
/// each is heavy on the two CPU cores a test machine has.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedSurrogateGroup : ICollectionFixture<TrainingSurrogateFixture>
{
    public const string Name = "ResNet-18 surrogate and seeded training";
}
