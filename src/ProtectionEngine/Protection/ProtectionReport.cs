using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>What was done to one image, with the bound measured on the encoded output after decoding it again.</summary>
public sealed record ProtectionReport
{
    public required ImageFormatKind InputFormat { get; init; }

    public required ImageFormatKind OutputFormat { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public required long InputBytes { get; init; }

    public required long OutputBytes { get; init; }

    /// <summary>Output bytes divided by input bytes.</summary>
    public double SizeRatio => InputBytes == 0 ? 0 : (double)OutputBytes / InputBytes;

    public required int Epsilon { get; init; }

    public required string ModelVersion { get; init; }

    public required bool ModelTrained { get; init; }

    /// <summary>The id of the secret the owner's key came from, when the model is owner-keyed; never the key or the owner.</summary>
    public string? OwnerKeyId { get; init; }

    /// <summary>Set when the model is a placeholder: "untrained model: no protection claimed".</summary>
    public string? Warning { get; init; }

    /// <summary>
    /// What the active model's card claims for this image at its epsilon (<see cref="ClaimedProtection"/> says it in
    /// words). Separate from the perturbation: a perturbed image is not a protected one unless the card claims so.
    /// </summary>
    public required ClaimStatus Claim { get; init; }

    /// <summary>The card's claim in words: "none claimed", or the measured claim with its scope.</summary>
    public required string ClaimedProtection { get; init; }

    /// <summary>
    /// Largest per-channel difference (8-bit levels) between the original and the pixels handed to the encoder: the
    /// bound before encoding, at most epsilon always.
    /// </summary>
    public required int LinfBeforeEncoding { get; init; }

    /// <summary>
    /// Largest per-channel difference (RGBA, 8-bit levels) between the original and the encoded output measured after
    /// decoding it with <see cref="LinfDecoder"/>. At most epsilon for lossless output; for JPEG what quantisation left.
    /// </summary>
    public required int LinfDecoded { get; init; }

    /// <summary>The decoder <see cref="LinfDecoded"/> was measured with (the engine's own).</summary>
    public required string LinfDecoder { get; init; }

    /// <summary>
    /// For JPEG output, the largest change measured with libjpeg (<see cref="LibJpeg"/>): its decoding of the output
    /// against its decoding of the source (the source's pixels when it was lossless). Null for lossless output, or where
    /// libjpeg is not installed or cannot decode the source.
    /// </summary>
    public int? LinfDecodedLibjpeg { get; init; }

    /// <summary>How many times a JPEG output was re-projected and encoded again (0 for lossless output).</summary>
    public required int JpegReprojectionRounds { get; init; }

    /// <summary>PSNR of the decoded output over RGB in dB; null when the two are identical.</summary>
    public required double? PsnrDb { get; init; }

    /// <summary>Fraction of RGB channel values that differ from the original.</summary>
    public required double ChangedFraction { get; init; }

    /// <summary>True when the output format is lossless, so <see cref="LinfDecoded"/> is guaranteed to be at most epsilon.</summary>
    public required bool Lossless { get; init; }

    public required ushort OrientationApplied { get; init; }

    /// <summary>True when a 16-bit source was written at 8 bits per channel.</summary>
    public required bool BitDepthReduced { get; init; }

    public required MetadataPolicy Metadata { get; init; }

    public required StageTimings Timings { get; init; }
}
