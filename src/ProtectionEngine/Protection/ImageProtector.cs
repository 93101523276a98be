using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Models.OwnerTexture;

namespace UploadGuard.ProtectionEngine.Protection;

/// <summary>
/// The engine's entry point: decode under caps, run the active generator (batched with concurrent calls) at the
/// working resolution, apply the perturbation within the exact L-infinity budget, encode, and measure the result by
/// decoding it again.
/// </summary>
public sealed class ImageProtector(ImageCodec codec, GeneratorBatcher batcher, ActiveModel models)
{
    public ImageCodec Codec { get; } = codec;

    public ActiveModel Models { get; } = models;

    public async Task<ProtectionResult> ProtectAsync(
        Stream input,
        ProtectionOptions options,
        IProgress<ProtectionProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        options.Validate();
        var total = Stopwatch.StartNew();
        void Report(ProtectionStage stage) => progress?.Report(new ProtectionProgress(stage, total.Elapsed));

        var encoded = await ReadBoundedAsync(input, Codec.Options.MaxBytes, cancellationToken).ConfigureAwait(false);
        Report(ProtectionStage.Received);

        var stage = Stopwatch.StartNew();
        using var decoded = Codec.Decode(encoded, cancellationToken);
        var source = decoded.Source;
        var target = ImageCodec.ResolveOutputFormat(source, options.Format);
        double decodeMs = Lap(stage);
        Report(ProtectionStage.Decoded);

        using var lease = Models.Acquire();
        var card = lease.Model.Card;
        int epsilon = options.EpsilonFor(card);
        var canvas = WorkingCanvas.From(decoded.Pixels, card.WorkingSize);
        Report(ProtectionStage.Queued);
        double queueMs = 0;
        float[] perturbation;
        if (lease.Model.Generator is OwnerTextureGenerator keyed)
        {
            // The owner's texture is a tile lookup, not a network pass: no batch to wait for.
            var owner = options.Owner ?? throw new OwnerKeyRequiredException(card.Version);
            Report(ProtectionStage.Protecting);
            var (shiftY, shiftX) = OwnerTextureGenerator.Offset(owner.Bytes, encoded);
            perturbation = keyed.Perturbation(owner.Bytes, card.WorkingSize, shiftY, shiftX);
        }
        else
        {
            perturbation = await batcher.GenerateAsync(lease, canvas.Pixels, () =>
            {
                queueMs = stage.Elapsed.TotalMilliseconds;
                Report(ProtectionStage.Protecting);
            }, cancellationToken).ConfigureAwait(false);
        }
        double generatorMs = Lap(stage) - queueMs;
        cancellationToken.ThrowIfCancellationRequested();

        using var protectedImage = decoded.Pixels.Clone();
        PerturbationApplier.Apply(protectedImage, canvas, perturbation, epsilon, source.IsGrayscale);
        double applyMs = Lap(stage);
        Report(ProtectionStage.Applied);

        var output = Codec.Encode(protectedImage, source, target);
        double encodeMs = Lap(stage);
        Report(ProtectionStage.Encoded);

        // The pixels written hold the exact bound; what a recipient decodes is measured. JPEG quantisation adds its own
        // error on top, so a JPEG gets re-projected against its decoded self until it is within epsilon + 1 or the rounds
        // run out, keeping the best encoding seen. Where libjpeg is installed, its decoding is held to the same target
        // (around its own decoding of the source) whenever the two decoders agree on the source within epsilon: from a
        // 4:2:0 source their chroma upsampling differs by far more, and libjpeg only measures the encoding kept.
        bool lossless = target != ImageFormatKind.Jpeg;
        int boundBeforeEncoding = PixelComparison.Measure(decoded.Pixels, protectedImage).MaxAbsDifference;
        bool checkLibjpeg = !lossless && Codec.Options.CheckJpegWithLibjpeg && LibJpeg.IsAvailable;
        using var libjpegSource = checkLibjpeg && source.Format == ImageFormatKind.Jpeg
            ? LibJpeg.TryDecode(encoded, source.OrientationApplied, Codec.Options.MaxPixels)
            : null;
        var libjpegReference = !checkLibjpeg ? null
            : source.Format != ImageFormatKind.Jpeg ? decoded.Pixels
            : libjpegSource?.Size() == decoded.Pixels.Size() ? libjpegSource : null;
        var heldReference = libjpegReference is not null
            && PixelComparison.Measure(decoded.Pixels, libjpegReference).MaxAbsDifference <= epsilon ? libjpegReference : null;
        var roundTrip = Codec.DecodeForVerification(output);
        var libjpegRoundTrip = heldReference is null ? null : LibJpeg.TryDecode(output);
        PixelComparison measured;
        int? libjpegMeasured;
        int rounds = 0;
        try
        {
            measured = PixelComparison.Measure(decoded.Pixels, roundTrip);
            libjpegMeasured = LibjpegLinf(heldReference, libjpegRoundTrip);
            while (!lossless && Worst(measured, libjpegMeasured) > JpegReprojection.Target(epsilon)
                && rounds < Codec.Options.JpegReprojectionRounds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long moved = JpegReprojection.Adjust(protectedImage, decoded.Pixels, roundTrip, epsilon, rounds + 1);
                if (libjpegRoundTrip is not null)
                    moved += JpegReprojection.Adjust(protectedImage, decoded.Pixels, libjpegRoundTrip, epsilon, rounds + 1, heldReference);
                if (moved == 0)
                    break;
                rounds++;
                var candidate = Codec.Encode(protectedImage, source, target);
                var candidateDecoded = Codec.DecodeForVerification(candidate);
                var candidateLibjpeg = heldReference is null ? null : LibJpeg.TryDecode(candidate);
                var candidateMeasured = PixelComparison.Measure(decoded.Pixels, candidateDecoded);
                int? candidateLibjpegMeasured = LibjpegLinf(heldReference, candidateLibjpeg);
                // The next round adjusts against the latest decodings whether or not they were better.
                roundTrip.Dispose();
                roundTrip = candidateDecoded;
                libjpegRoundTrip?.Dispose();
                libjpegRoundTrip = candidateLibjpeg;
                if ((Worst(candidateMeasured, candidateLibjpegMeasured), candidateMeasured.MaxAbsDifference)
                    .CompareTo((Worst(measured, libjpegMeasured), measured.MaxAbsDifference)) <= 0)
                {
                    output = candidate;
                    measured = candidateMeasured;
                    libjpegMeasured = candidateLibjpegMeasured;
                }
            }
        }
        finally
        {
            roundTrip.Dispose();
            libjpegRoundTrip?.Dispose();
        }
        if (heldReference is null && libjpegReference is not null)
        {
            using var kept = LibJpeg.TryDecode(output);
            libjpegMeasured = LibjpegLinf(libjpegReference, kept);
        }
        if (lossless && measured.MaxAbsDifference > epsilon)
            throw new InvalidOperationException(
                $"Internal error: lossless output differs by {measured.MaxAbsDifference} levels, over epsilon {epsilon}. Nothing was returned.");
        double verifyMs = Lap(stage);
        Report(ProtectionStage.Verified);

        var report = new ProtectionReport
        {
            InputFormat = source.Format,
            OutputFormat = target,
            Width = source.Width,
            Height = source.Height,
            InputBytes = encoded.Length,
            OutputBytes = output.Length,
            Epsilon = epsilon,
            ModelVersion = card.Version,
            ModelTrained = card.Trained,
            OwnerKeyId = card.Architecture.IsOwnerKeyed ? options.Owner?.KeyId : null,
            Warning = card.Warning,
            LinfBeforeEncoding = boundBeforeEncoding,
            LinfDecoded = measured.MaxAbsDifference,
            LinfDecoder = ImageCodec.VerificationDecoder,
            LinfDecodedLibjpeg = libjpegMeasured,
            JpegReprojectionRounds = rounds,
            Claim = card.ClaimAt(epsilon),
            ClaimedProtection = card.ClaimedProtection,
            PsnrDb = measured.PsnrDb,
            ChangedFraction = measured.ChangedFraction,
            Lossless = lossless,
            OrientationApplied = source.OrientationApplied,
            BitDepthReduced = source.BitsPerChannel > 8,
            Metadata = Codec.Options.Metadata,
            Timings = new StageTimings(decodeMs, queueMs, generatorMs, applyMs, encodeMs, verifyMs, total.Elapsed.TotalMilliseconds),
        };
        return new ProtectionResult(output, report);
    }

    /// <summary>The figure the rounds aim down: the engine decoder's, and libjpeg's as well where it is held.</summary>
    private static int Worst(PixelComparison measured, int? libjpeg) =>
        libjpeg is { } other ? Math.Max(measured.MaxAbsDifference, other) : measured.MaxAbsDifference;

    private static int? LibjpegLinf(Image<Rgba32>? reference, Image<Rgba32>? decoded) =>
        reference is not null && decoded is not null && decoded.Size() == reference.Size()
            ? PixelComparison.Measure(reference, decoded).MaxAbsDifference
            : null;

    private static double Lap(Stopwatch stopwatch)
    {
        double ms = stopwatch.Elapsed.TotalMilliseconds;
        stopwatch.Restart();
        return ms;
    }

    /// <summary>Reads the whole stream, refusing as soon as it passes the byte cap.</summary>
    private static async Task<byte[]> ReadBoundedAsync(Stream input, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new ImageRejectedException(ImageRejectionReason.TooManyBytes, $"The image is larger than the {maxBytes:N0}-byte limit.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
