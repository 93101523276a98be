using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;
using System.Threading.RateLimiting;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Engine;

/// <summary>
/// Every engine call the gateway makes: route caps checked first, then admission (a concurrency limit with a bounded
/// queue, <see cref="AdmitAsync"/>), then the engine behind a circuit breaker and timeout. Whatever goes wrong comes out
/// as an <see cref="UploadRefusedException"/> with the status and reason code the client should see.
/// </summary>
/// <remarks>
/// Admission is per request, not per image: a form with several images reserves engine slots for all of them at once,
/// or is refused with 503 <c>engine_busy</c> before any of them reaches the engine. Admitted image by image, a form could
/// be refused for its last image after the others had already used engine time.
/// </remarks>
public sealed class ResilientProtection(
    IProtectionEngine engine,
    ResiliencePipelineProvider<string> pipelines,
    IOptions<ImagingOptions> imaging,
    IOptions<EngineResilienceOptions> resilience,
    DecodeBudget decodeBudget) : IDisposable
{
    public const string PipelineName = "uploadguard-engine";

    /// <summary>What a refused admission tells the client to wait.</summary>
    private static readonly TimeSpan BusyRetryAfter = TimeSpan.FromSeconds(2);

    private readonly ImageCodec _inspector = new(imaging.Value);

    // Oldest first: once a request is queued, later ones queue behind it, so a form waiting for several slots is not
    // overtaken for ever by single images.
    private readonly ConcurrencyLimiter _admission = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = resilience.Value.MaxConcurrency,
        QueueLimit = resilience.Value.QueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private long _callsFinished;
    private int _callsInFlight;

    public IProtectionEngine Engine => engine;

    /// <summary>Images in the engine right now (admitted and not yet finished).</summary>
    public int CallsInFlight => Volatile.Read(ref _callsInFlight);

    /// <summary>Images the engine has finished with, whatever the outcome, since start-up.</summary>
    public long CallsFinished => Interlocked.Read(ref _callsFinished);

    /// <summary>Engine slots reserved and waiting in the admission queue right now.</summary>
    public long QueuedSlots => _admission.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>Protects one image: route caps, admission for it alone, then the engine.</summary>
    public async Task<ProtectionResult> ProtectAsync(
        byte[] image, string part, ProtectionSettings settings, IProgress<ProtectionProgress>? progress, CancellationToken cancellationToken,
        OutputFormat format = OutputFormat.Keep, OwnerKey? owner = null)
    {
        long pixels = CheckCaps(image, part, settings);
        using var admission = await AdmitAsync(1, pixels, part, cancellationToken);
        return await ProtectAdmittedAsync(admission, image, part, settings, progress, cancellationToken, format, owner);
    }

    /// <summary>
    /// Reserves engine capacity for <paramref name="images"/> images together: room for their <paramref name="pixels"/>
    /// decoded pixels in the <see cref="DecodeBudget"/>, then one slot per image (at most
    /// <see cref="EngineResilienceOptions.MaxSlotsPerRequest"/>; a larger request runs that many at a time and leaves the
    /// other slots to other requests), waiting in the queue if it has room for all of them. Dispose the admission when
    /// every image is done.
    /// </summary>
    /// <exception cref="UploadRefusedException">
    /// 413 <c>too_many_images</c> or <c>request_too_many_pixels</c> over the per-request caps; 503 <c>decode_budget_busy</c>
    /// or <c>engine_busy</c> with Retry-After when the budget or the slots and the queue cannot take them all.
    /// </exception>
    public async Task<EngineAdmission> AdmitAsync(int images, long pixels, string part, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        var limits = resilience.Value;
        if (images > limits.MaxImagesPerRequest)
            throw new UploadRefusedException(StatusCodes.Status413PayloadTooLarge, "too_many_images",
                $"The request holds {images} images; at most {limits.MaxImagesPerRequest} are protected per request.", part);
        if (pixels > limits.MaxDecodedPixelsPerRequest)
            throw new UploadRefusedException(StatusCodes.Status413PayloadTooLarge, "request_too_many_pixels",
                $"The request's images decode to {pixels:N0} pixels; at most {limits.MaxDecodedPixelsPerRequest:N0} are protected per request.", part);

        var budget = await decodeBudget.AcquireAsync(pixels, part, cancellationToken);
        int permits = Math.Min(images, Math.Min(limits.MaxConcurrency, limits.MaxSlotsPerRequest));
        RateLimitLease lease;
        try
        {
            lease = await _admission.AcquireAsync(permits, cancellationToken);
        }
        catch
        {
            budget.Dispose();
            throw;
        }
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            budget.Dispose();
            string what = images == 1 ? "Too many images are being protected" : $"Too many images are being protected to take these {images} together";
            throw new UploadRefusedException(503, "engine_busy", $"{what}; retry shortly.", part, BusyRetryAfter);
        }
        return new EngineAdmission(lease, budget, permits);
    }

    /// <summary>
    /// Route caps only (bytes, format, pixels), as a refusal; cheap, from the header, before any engine capacity is
    /// reserved. Returns the pixels the image decodes to.
    /// </summary>
    public long CheckCaps(byte[] image, string part, ProtectionSettings settings)
    {
        try
        {
            return CheckRouteCaps(image, part, settings);
        }
        catch (ImageRejectedException ex)
        {
            throw UploadRefusals.From(ex, part);
        }
    }

    /// <summary>
    /// Protects one image of an admitted request (its caps already checked) in one of the admission's slots, with the
    /// owner's key when the request has an owner (an owner-keyed model needs one; other models ignore it).
    /// </summary>
    public async Task<ProtectionResult> ProtectAdmittedAsync(
        EngineAdmission admission, byte[] image, string part, ProtectionSettings settings, IProgress<ProtectionProgress>? progress,
        CancellationToken cancellationToken, OutputFormat format = OutputFormat.Keep, OwnerKey? owner = null)
    {
        ArgumentNullException.ThrowIfNull(admission);
        try
        {
            await admission.Slots.WaitAsync(cancellationToken);
            try
            {
                var pipeline = pipelines.GetPipeline(PipelineName);
                var options = new ProtectionOptions { Epsilon = settings.Epsilon, Format = format, Owner = owner };
                // Polly's timeout only cancels the token; an engine that ignores it (stuck in native code, a lost batch) would
                // hold the request forever. WaitAsync gives up on it when the token fires, so the timeout always answers.
                return await pipeline.ExecuteAsync(
                    async ct =>
                    {
                        Interlocked.Increment(ref _callsInFlight);
                        try
                        {
                            return await engine.ProtectAsync(new MemoryStream(image, writable: false), options, progress, ct).WaitAsync(ct);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _callsInFlight);
                            Interlocked.Increment(ref _callsFinished);
                        }
                    },
                    cancellationToken);
            }
            finally
            {
                admission.Slots.Release();
            }
        }
        catch (ImageRejectedException ex)
        {
            throw UploadRefusals.From(ex, part);
        }
        catch (OwnerKeyRequiredException ex)
        {
            // The active model is owner-keyed and nothing named the owner: the client's (or the route's) doing, never a 500.
            throw UploadRefusals.OwnerRequired(ex, part);
        }
        catch (EngineOverloadedException ex)
        {
            throw new UploadRefusedException(503, "engine_overloaded", ex.Message, part, ex.RetryAfter, ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new UploadRefusedException(503, "engine_unavailable", "Protection is temporarily unavailable after repeated engine failures.", part,
                ex.RetryAfter ?? resilience.Value.BreakDuration, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new UploadRefusedException(503, "engine_timeout", $"Protecting '{part}' took longer than {resilience.Value.Timeout.TotalSeconds:0} s.", part,
                TimeSpan.FromSeconds(5), ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not UploadRefusedException)
        {
            throw new UploadRefusedException(503, "engine_failure", "The protection engine failed on this image.", part, TimeSpan.FromSeconds(5), ex);
        }
    }

    public void Dispose() => _admission.Dispose();

    /// <summary>The per-route caps, stricter than or equal to the engine's own: bytes, format, pixels.</summary>
    private long CheckRouteCaps(byte[] image, string part, ProtectionSettings settings)
    {
        if (image.Length > settings.MaxImageBytes)
            throw new ImageRejectedException(ImageRejectionReason.TooManyBytes, $"The image is {image.Length:N0} bytes; this route allows {settings.MaxImageBytes:N0}.");
        var (format, width, height) = _inspector.Inspect(image);
        if (!settings.Formats.Contains(format))
            throw new ImageRejectedException(ImageRejectionReason.UnsupportedFormat, $"This route does not protect {format} images.");
        if ((long)width * height > settings.MaxImagePixels)
            throw new ImageRejectedException(ImageRejectionReason.TooManyPixels, $"The image has {(long)width * height:N0} pixels; this route allows {settings.MaxImagePixels:N0}.");
        return (long)width * height;
    }

    /// <summary>
    /// Registers the engine pipeline: circuit breaker (outer), timeout (inner). The concurrency limit is not in it: it is
    /// <see cref="AdmitAsync"/>, which can take several images' slots at once.
    /// </summary>
    public static void Configure(ResiliencePipelineBuilder builder, EngineResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                // Bad images, backpressure and a missing owner are the client's or the load's doing, not engine faults.
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex =>
                    ex is not ImageRejectedException and not EngineOverloadedException and not OwnerKeyRequiredException and not OperationCanceledException),
            })
            .AddTimeout(options.Timeout);
    }
}
