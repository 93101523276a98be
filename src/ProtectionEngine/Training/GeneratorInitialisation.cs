using TorchSharp;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Re-draws a generator's initial weights from a local seeded torch generator, with PyTorch's default distributions
/// (convolutions: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases; normalisation: ones and zeros). Seeding the
/// global generator instead would race with anything else in the process that draws random numbers (another training
/// run, a test, the gateway), making a seeded run irreproducible.
/// </summary>
public static class GeneratorInitialisation
{
    public static void Reset(PerturbationGenerator generator, long seed)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var parameters = generator.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        using var random = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string owner = name[..name.LastIndexOf('.')];
            var weight = parameters.GetValueOrDefault(owner + ".weight");
            if (weight is not null && weight.dim() == 4)
            {
                long fanIn = weight.shape[1] * weight.shape[2] * weight.shape[3];
                double bound = 1 / Math.Sqrt(fanIn);
                parameter.uniform_(-bound, bound, random);
            }
            else if (name.EndsWith(".weight", StringComparison.Ordinal))
            {
                parameter.fill_(1);
            }
            else
            {
                parameter.zero_();
            }
        }
    }
}
