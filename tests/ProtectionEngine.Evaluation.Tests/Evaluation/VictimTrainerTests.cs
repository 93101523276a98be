using System.Runtime.InteropServices;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Networks;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Evaluation;

public sealed class VictimTrainerTests
{
    [Fact]
    public void A_step_that_fails_in_libtorch_runs_again_on_the_same_batch_and_is_reported()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        using var model = new FailsOnce();
        using var optimizer = optim.SGD(model.parameters(), 0.1);
        var images = rand(4, 3, 4, 4, generator: new Generator(5));
        var labels = tensor(new long[] { 0, 1, 0, 1 });
        var before = model.parameters().Select(p => p.detach().clone()).ToArray();
        double expectedLoss;
        using (no_grad())
            expectedLoss = nn.functional.cross_entropy(model.Logits(VictimInput.Normalise(images)), labels).item<float>();
        var reported = new List<ExternalException>();

        var (loss, correct) = VictimTrainer.Step(model, optimizer, images, labels, reported.Add);

        Assert.Single(reported);
        Assert.Equal(2, model.Calls);
        Assert.Equal(expectedLoss, loss, 5);
        Assert.InRange(correct, 0, 4);
        Assert.Contains(model.parameters().Zip(before), pair => !pair.First.allclose(pair.Second));
    }

    /// <summary>A linear classifier whose first forward pass fails in libtorch for real, as a freed Scalar makes one fail.</summary>
    private sealed class FailsOnce : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> layers = nn.Sequential(nn.Flatten(), nn.Linear(48, 2));

        public FailsOnce() : base(nameof(FailsOnce)) => RegisterComponents();

        public int Calls { get; private set; }

        public Tensor Logits(Tensor images) => layers.call(images);

        public override Tensor forward(Tensor input)
        {
            var logits = layers.call(input);
            // [4, 2] + [1, 3] cannot broadcast: TorchSharp raises libtorch's error as an ExternalException.
            return ++Calls == 1 ? logits + zeros(1, 3) : logits;
        }
    }
}
