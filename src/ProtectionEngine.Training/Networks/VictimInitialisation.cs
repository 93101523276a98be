using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>
/// He-normal convolutions (fan-out, ReLU gain) and unit batch-norm scales, as torchvision initialises its classifiers;
/// TorchSharp's default uniform initialisation trains these deep plain stacks more slowly.
/// </summary>
public static class VictimInitialisation
{
    /// <summary>Re-draws from torch's global generator (what a victim's constructor does; the victims' seed sets it).</summary>
    public static void Apply(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var noGrad = no_grad();
        foreach (var child in module.modules())
        {
            switch (child)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    if (conv.bias is not null)
                        nn.init.zeros_(conv.bias);
                    break;
                case BatchNorm2d norm:
                    if (norm.weight is not null)
                        nn.init.ones_(norm.weight);
                    if (norm.bias is not null)
                        nn.init.zeros_(norm.bias);
                    break;
            }
        }
    }

    /// <summary>
    /// The same distributions drawn from a local generator, linear layers included (PyTorch's default, uniform within
    /// 1/sqrt(fan_in)): a network initialised this way does not depend on what else in the process draws from the
    /// global generator at the same time.
    /// </summary>
    public static void Apply(nn.Module module, TorchSharp.torch.Generator random)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(random);
        using var noGrad = no_grad();
        foreach (var child in module.modules())
        {
            switch (child)
            {
                case Conv2d conv:
                    {
                        var w = conv.weight!;
                        double std = Math.Sqrt(2.0 / (w.shape[0] * w.shape[2] * w.shape[3]));   // He-normal, fan-out, ReLU gain
                        using var draw = randn(w.shape, generator: random);
                        w.copy_(draw.mul_(std));
                        conv.bias?.zero_();
                        break;
                    }
                case Linear linear:
                    Draw(linear, random);
                    break;
                case BatchNorm2d norm:
                    norm.weight?.fill_(1);
                    norm.bias?.zero_();
                    break;
            }
        }
    }

    /// <summary>
    /// Draws the linear layers afresh and leaves everything else as it is: every victim's only linear layer is its
    /// classifier, so this keeps what the network has learned to see and forgets what it named.
    /// </summary>
    public static void ResetClassifier(nn.Module module, TorchSharp.torch.Generator random)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(random);
        using var noGrad = no_grad();
        foreach (var linear in module.modules().OfType<Linear>())
            Draw(linear, random);
    }

    private static void Draw(Linear linear, TorchSharp.torch.Generator random)
    {
        double bound = 1 / Math.Sqrt(linear.weight!.shape[1]);
        linear.weight.uniform_(-bound, bound, random);
        linear.bias?.uniform_(-bound, bound, random);
    }
}
