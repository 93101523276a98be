namespace UploadGuard.Gateway.Tests.Owners;

/// <summary>One <see cref="OwnerKeyedGateway"/> process for every test class in its collection.</summary>
[CollectionDefinition(OwnerKeyedGateway.Collection)]
public sealed class OwnerKeyedGatewayGroup : ICollectionFixture<OwnerKeyedGateway>;
