namespace UploadGuard.ProtectionEngine.Models;

/// <summary>A verified generator ready for inference, with the card it was loaded from.</summary>
public sealed class LoadedModel(ModelCard card, GeneratorModule generator, TorchSharp.torch.Device device) : IDisposable
{
    public ModelCard Card { get; } = card;

    public string Version => Card.Version;

    public GeneratorModule Generator { get; } = generator;

    public TorchSharp.torch.Device Device { get; } = device;

    public void Dispose() => Generator.Dispose();
}
