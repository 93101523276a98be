using TorchSharp;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Evaluation.Victims;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// Label-agnostic adversarial poisoning (after Fowl et al. 2021, "Adversarial examples make strong poisons", with
/// concepts in place of classes). The state is a small crafting network, a ResNet-20 trained from scratch with the
/// victims' own recipe to tell the ImageNet surrogate's k-means concepts apart at the scraper's scale (the working
/// size), and a fixed derangement of the concepts. Protecting a photo runs <see cref="Steps"/> steps of projected
/// gradient descent on the working canvas that move the crafting network's reading of it from its own concept to its
/// target concept. A victim trained on such photos learns the detail of the target concept under the photo's label,
/// so on clean photos it answers wrong; unlike a shortcut, this needs no key that agrees with the attacker's classes,
/// only features the victim picks up the way the crafting network did.
/// </summary>
/// <remarks>
/// The perturbation is optimised for the card's epsilon and returned divided by it, as every generator's output is in
/// [-1, 1]. The start is zero, so a photo's protection does not depend on the batch it shares.
/// </remarks>
public sealed class ConceptPoisonGenerator : GeneratorModule
{
    /// <summary>Descent steps per photo.</summary>
    public const int Steps = 10;

    /// <summary>Each step moves every value by this share of epsilon (2.5 epsilon over the 10 steps, the PGD baseline's).</summary>
    public const double StepShare = 0.25;

    /// <summary>The state's name of the targets tensor (its field's name, as RegisterComponents names it).</summary>
    public const string TargetsName = "targets";

    public static GeneratorArchitecture Poison { get; } = new(GeneratorArchitecture.ConceptPoison, 0, 0);

    private readonly ResNet20 crafting;
    private readonly Tensor targets;
    private readonly double epsilon;

    /// <param name="concepts">K: the crafting network's outputs.</param>
    /// <param name="epsilon">The bound the perturbation is optimised for, in 8-bit levels (the card's).</param>
    public ConceptPoisonGenerator(int concepts, int epsilon) : base(nameof(ConceptPoisonGenerator))
    {
        if (concepts < 2)
            throw new ArgumentOutOfRangeException(nameof(concepts), concepts, "At least two concepts.");
        if (epsilon is < 1 or > 255)
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be 1..255 levels.");
        this.epsilon = epsilon / 255.0;
        Concepts = concepts;
        crafting = new ResNet20(concepts);
        targets = zeros(concepts);
        RegisterComponents();
        foreach (var parameter in crafting.parameters())
            parameter.requires_grad_(false);
    }

    public override GeneratorArchitecture Architecture => Poison;

    public int Concepts { get; }

    public override long ParameterCount => state_dict().Values.Sum(t => t.numel());

    /// <summary>Takes the weights of a trained crafting network and each concept's target (never itself).</summary>
    public void Set(nn.Module crafted, IReadOnlyList<int> conceptTargets)
    {
        ArgumentNullException.ThrowIfNull(crafted);
        ArgumentNullException.ThrowIfNull(conceptTargets);
        if (conceptTargets.Count != Concepts || conceptTargets.Select((t, k) => t == k || t < 0 || t >= Concepts).Any(bad => bad))
            throw new ArgumentException($"Need one target per concept, each another of the {Concepts} concepts.", nameof(conceptTargets));
        using var noGrad = no_grad();
        crafting.load_state_dict(crafted.state_dict());
        targets.copy_(tensor(conceptTargets.Select(t => (float)t).ToArray()));
    }

    /// <summary>The concept the crafting network reads in each canvas ([N, 3, S, S] in [0, 1]), [N] int64.</summary>
    public Tensor Concept(Tensor canvas)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return crafting.call(VictimTrainer.Normalise(canvas)).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>The target of each of <paramref name="concepts"/> ([N] int64), [N] int64.</summary>
    public Tensor TargetsOf(Tensor concepts)
    {
        ArgumentNullException.ThrowIfNull(concepts);
        using var scope = NewDisposeScope();
        return targets.to(ScalarType.Int64).to(concepts.device).index_select(0, concepts).MoveToOuterDisposeScope();
    }

    /// <summary>Cross-entropy of the crafting network's logits on <paramref name="images"/> toward <paramref name="aims"/>.</summary>
    public Tensor Loss(Tensor images, Tensor aims)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(aims);
        using var scope = NewDisposeScope();
        return functional.cross_entropy(crafting.call(VictimTrainer.Normalise(images)), aims).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        // The engine calls generators under no_grad; the descent needs gradients of the input.
        using var gradients = enable_grad();
        var clean = input.detach();
        var aims = TargetsOf(Concept(clean));
        double step = StepShare * epsilon;
        var delta = zeros_like(clean);
        for (int i = 0; i < Steps; i++)
        {
            using var stepScope = NewDisposeScope();
            var variable = delta.detach().requires_grad_(true);
            var loss = Loss((clean + variable).clamp(0, 1), aims);
            var gradient = autograd.grad([loss], [variable])[0];
            delta = (variable.detach() - gradient.sign() * step).clamp_(-epsilon, epsilon).MoveToOuterDisposeScope();
        }
        return (delta / epsilon).clamp_(-1, 1).MoveToOuterDisposeScope();
    }
}
