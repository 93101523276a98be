using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Tests.Support;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Models;

public sealed class ActiveModelTests
{
    [Fact]
    public void Work_that_began_on_a_version_keeps_it_until_released()
    {
        var registry = TestEngine.SmallRegistry();
        TestEngine.AddSmallModel(registry, "test-next", seed: 99);
        var first = registry.Load("test-small", CPU);
        using var active = new ActiveModel(first);
        string? announced = null;
        active.Activated += card => announced = card.Version;

        var lease = active.Acquire();
        active.Activate(registry.Load("test-next", CPU));

        Assert.Equal("test-next", announced);
        Assert.Equal("test-next", active.Card.Version);
        Assert.Equal("test-small", lease.Model.Version);
        using (no_grad())
        using (var output = lease.Model.Generator.call(rand(1, 3, 32, 32)))   // still usable: not disposed
            Assert.Equal(new long[] { 1, 3, 32, 32 }, output.shape);

        lease.Dispose();
        using var next = active.Acquire();
        Assert.Equal("test-next", next.Model.Version);
        Assert.Throws<InvalidOperationException>(() => first.Generator.parameters().First().sum());
    }
}
