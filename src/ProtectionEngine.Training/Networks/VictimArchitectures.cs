using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>Names used on the command line and in result tables, and construction of a fresh victim.</summary>
public static class VictimArchitectures
{
    public static IReadOnlyList<VictimArchitecture> All { get; } = [VictimArchitecture.ResNet20, VictimArchitecture.Vgg, VictimArchitecture.MobileNetV2];

    public static string Name(VictimArchitecture architecture) => architecture switch
    {
        VictimArchitecture.ResNet20 => "resnet20",
        VictimArchitecture.Vgg => "vgg",
        VictimArchitecture.MobileNetV2 => "mobilenetv2",
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
    };

    public static VictimArchitecture Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        foreach (var architecture in All)
        {
            if (Name(architecture) == key)
                return architecture;
        }
        throw new ArgumentException($"Unknown architecture '{name}'; use {string.Join(", ", All.Select(Name))}.", nameof(name));
    }

    /// <summary>
    /// A newly initialised victim, drawn from torch's global generator; <see cref="VictimTrainer"/> re-draws it from a
    /// seeded generator of its own (<see cref="VictimInitialisation.Apply(nn.Module, TorchSharp.torch.Generator)"/>), so
    /// that clean and protected runs start from the same weights whatever else the process draws.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(VictimArchitecture architecture, int classes) => architecture switch
    {
        VictimArchitecture.ResNet20 => new ResNet20(classes),
        VictimArchitecture.Vgg => new VggStyle(classes),
        VictimArchitecture.MobileNetV2 => new MobileNetV2Style(classes),
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
    };
}
