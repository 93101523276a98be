namespace UploadGuard.ProtectionEngine.Networks;

/// <summary>The classifiers the benchmark trains from scratch, each standing for a family an attacker might use.</summary>
public enum VictimArchitecture
{
    /// <summary>He et al.'s CIFAR ResNet-20: three stages of three basic blocks, 16-32-64 channels.</summary>
    ResNet20,

    /// <summary>Plain stacks of 3x3 convolutions with batch norm and max pooling, no shortcuts.</summary>
    Vgg,

    /// <summary>Inverted residuals with depthwise convolutions and linear bottlenecks.</summary>
    MobileNetV2,
}
