using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Evaluation.Victims;

/// <summary>
/// He-normal convolutions (fan-out, ReLU gain) and unit batch-norm scales, as torchvision initialises its classifiers;
/// TorchSharp's default uniform initialisation trains these deep plain stacks more slowly.
/// </summary>
public static class VictimInitialisation
{
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
}
