using TorchSharp;
using TorchSharp.Modules;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Evaluation.Victims;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// The stand-in victim of <see cref="GeneratorLossKind.MinMin"/>: a ResNet-20 trained from scratch, alongside the
/// generator, to predict each photo's k-means concept from the perturbed photo as a scraper would see it (shrunk to
/// <see cref="Size"/> px, randomly cropped and flipped like the victims of <c>uploadguard eval</c>). The generator is
/// then moved to lower this proxy's loss: it learns whatever perturbation a from-scratch network picks up fastest, the
/// error-minimising shortcut of unlearnable examples with concepts in place of labels.
/// </summary>
public sealed class ProxyClassifier : IDisposable
{
    /// <summary>The proxy's accuracy on the perturbed batch (before its step).</summary>
    public const string PerturbedAccuracy = "proxyAcc";

    /// <summary>The proxy's accuracy on the same photos without perturbation: the gap to <see cref="PerturbedAccuracy"/> is the shortcut.</summary>
    public const string CleanAccuracy = "cleanAcc";

    private readonly ResNet20 network;
    private readonly Adam optimizer;

    public ProxyClassifier(int concepts, int size, double learningRate, long seed, Device device)
    {
        if (size < 16)
            throw new ArgumentOutOfRangeException(nameof(size), size, "The proxy needs at least 16 px.");
        Size = size;
        network = new ResNet20(concepts);
        // Drawn again from a local generator: seeding the global one raced with anything else building a network at the
        // same moment (another run, a test), which changed this run's weights.
        using (var random = new TorchSharp.torch.Generator(unchecked((ulong)seed)))
            VictimInitialisation.Apply(network, random);
        network.to(device);
        network.train();
        optimizer = new Adam(network.parameters(), learningRate);
    }

    public int Size { get; }

    /// <summary>For checkpoints: the network whose state and Adam moments are saved with the generator's.</summary>
    public nn.Module Network => network;

    public Adam Optimizer => optimizer;

    /// <summary>Shrinks [N, 3, H, W] images in [0, 1] to the proxy's size and applies the victims' crop and flip.</summary>
    public Tensor Prepare(Tensor images, Random random)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        return RandomCropFlip.Apply(SquareResize.To(images, Size), Size / 8, random).MoveToOuterDisposeScope();
    }

    /// <summary>One optimiser step of the proxy on (detached) inputs; returns its accuracy on them before the step.</summary>
    public double Learn(Tensor inputs, Tensor concepts)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = NewDisposeScope();
        var logits = network.call(Normalise(inputs.detach()));
        var loss = functional.cross_entropy(logits, concepts);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return logits.argmax(1).eq(concepts).to(ScalarType.Float32).mean().item<float>();
    }

    /// <summary>The generator's loss: the proxy's cross-entropy on the perturbed inputs (gradients flow to them).</summary>
    /// <param name="cleanInputs">The same photos unperturbed, prepared alike: only measured, for the <see cref="CleanAccuracy"/> term.</param>
    public (Tensor Loss, IReadOnlyDictionary<string, double> Terms) Evaluate(Tensor inputs, Tensor concepts, Tensor cleanInputs, double perturbedAccuracy)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(cleanInputs);
        using var scope = NewDisposeScope();
        var loss = functional.cross_entropy(network.call(Normalise(inputs)), concepts);
        double cleanAccuracy;
        using (no_grad())
        {
            network.eval();
            cleanAccuracy = network.call(Normalise(cleanInputs)).argmax(1).eq(concepts).to(ScalarType.Float32).mean().item<float>();
            network.train();
        }
        var terms = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [ConceptObjective.Loss] = loss.item<float>(),
            [PerturbedAccuracy] = perturbedAccuracy,
            [CleanAccuracy] = cleanAccuracy,
        };
        return (loss.MoveToOuterDisposeScope(), terms);
    }

    /// <summary>The victims' input scale, so the proxy sees what they see.</summary>
    private static Tensor Normalise(Tensor images) => VictimTrainer.Normalise(images);

    public void Dispose()
    {
        optimizer.Dispose();
        network.Dispose();
    }
}
