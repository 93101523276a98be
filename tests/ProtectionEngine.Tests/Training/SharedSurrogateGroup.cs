namespace UploadGuard.ProtectionEngine.Tests.Training;

/// <summary>
/// Test classes that build ResNet-18 surrogates or seeded training runs share one surrogate and never run beside each
/// other: building a network draws from torch's global generator, and the min-min stand-in victim is still seeded
/// through it (ProxyClassifier), so a surrogate built on another thread mid-run would change that run's weights.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedSurrogateGroup : ICollectionFixture<TrainingSurrogateFixture>
{
    public const string Name = "ResNet-18 surrogate and seeded training";
}
