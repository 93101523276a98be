using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>
/// Protects a training set the way users' photos are protected: every image goes through <see cref="ImageProtector"/>
/// as an uploaded file (lossless PNG of the clean pixels in, the engine's encoded output back, decoded as a recipient
/// decodes it), so the benchmark measures the product path (working canvas, batching, exact L-infinity projection,
/// JPEG re-encoding), not a shortcut around it.
/// </summary>
internal static class EngineProtection
{
    /// <param name="concurrency">Images in flight at once; more than the batcher's batch size lets it fill batches.</param>
    /// <param name="progress">Receives the number of images done so far.</param>
    /// <param name="ownerOf">For an owner-keyed model: each image's owner key, by index.</param>
    public static async Task<EngineProtectionResult> ProtectAsync(LabeledImages clean, ImageProtector protector, ProtectionOptions options,
        int concurrency = 16, IProgress<int>? progress = null, Func<int, OwnerKey>? ownerOf = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var card = protector.Models.Card;
        var output = new byte[clean.Count][];
        int done = 0;
        string? mixedVersion = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, clean.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                using var upload = new MemoryStream(EncodePng(clean.Pixels(i), clean.Size));
                var result = await protector.ProtectAsync(upload, ownerOf is null ? options : options with { Owner = ownerOf(i) }, cancellationToken: ct).ConfigureAwait(false);
                if (result.Report.ModelVersion != card.Version)
                    mixedVersion = result.Report.ModelVersion;
                using var decoded = protector.Codec.DecodeForVerification(result.Data);
                output[i] = ChwPixels.FromImage(decoded);
                progress?.Report(Interlocked.Increment(ref done));
            }).ConfigureAwait(false);
        if (mixedVersion is not null)
            throw new InvalidOperationException($"The active model changed from {card.Version} to {mixedVersion} while the training set was being protected.");
        return new EngineProtectionResult(clean.WithPixels(output), card.Version, card.Trained, card.Warning, card.WorkingSize, clock.Elapsed);
    }

    /// <summary>Photos in flight at once when a benchmark protects a training set: twice the batch, so batches fill.</summary>
    internal const int Concurrency = 2 * BatchSize;

    private const int BatchSize = 16;

    /// <summary>
    /// The engine a benchmark protects its training photos with: the given model from the registry, every piece of
    /// metadata stripped, small batches that fill quickly.
    /// </summary>
    internal static ProtectionEngineHost CreateHost(string modelsPath, string? modelVersion, string device) =>
        ProtectionEngineHost.Create(
            new EngineOptions { ModelsPath = modelsPath, ModelVersion = modelVersion, Device = device },
            new ImagingOptions { Metadata = MetadataPolicy.StripAll },
            new BatchingOptions { MaxBatchSize = BatchSize, MaxWait = TimeSpan.FromMilliseconds(20), QueueCapacity = 4 * BatchSize });

    private static byte[] EncodePng(byte[] chw, int size)
    {
        using var image = ChwPixels.ToImage(chw, size);
        using var png = new MemoryStream();
        image.Save(png, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        return png.ToArray();
    }
}
