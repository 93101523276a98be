using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Registry;
using Polly.Timeout;
using UploadGuard.Gateway.Proxy;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Engine;

/// <summary>
/// Every engine call the gateway makes: route caps checked first, then the engine behind a concurrency limiter,
/// circuit breaker and timeout. Whatever goes wrong comes out as an <see cref="UploadRefusedException"/> with the
/// status and reason code the client should see.
/// </summary>
public sealed class ResilientProtection(
    IProtectionEngine engine,
    ResiliencePipelineProvider<string> pipelines,
    IOptions<ImagingOptions> imaging,
    IOptions<EngineResilienceOptions> resilience)
{
    public const string PipelineName = "uploadguard-engine";

    private readonly ImageCodec _inspector = new(imaging.Value);
    private long _callsFinished;
    private int _callsInFlight;

    public IProtectionEngine Engine => engine;

    /// <summary>Images in the engine right now (admitted and not yet finished).</summary>
    public int CallsInFlight => Volatile.Read(ref _callsInFlight);

    /// <summary>Images the engine has finished with, whatever the outcome, since start-up.</summary>
    public long CallsFinished => Interlocked.Read(ref _callsFinished);

    public async Task<ProtectionResult> ProtectAsync(
        byte[] image, string part, RouteProtectionPolicy policy, IProgress<ProtectionProgress>? progress, CancellationToken cancellationToken,
        OutputFormat format = OutputFormat.Keep)
    {
        try
        {
            CheckRouteCaps(image, part, policy);
            var pipeline = pipelines.GetPipeline(PipelineName);
            var options = new ProtectionOptions { Epsilon = policy.Epsilon, Format = format };
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
        catch (ImageRejectedException ex)
        {
            throw new UploadRefusedException(StatusOf(ex.Reason), ex.ReasonCode, $"'{part}': {ex.Message}", part, inner: ex);
        }
        catch (EngineOverloadedException ex)
        {
            throw new UploadRefusedException(503, "engine_overloaded", ex.Message, part, ex.RetryAfter, ex);
        }
        catch (RateLimiterRejectedException ex)
        {
            throw new UploadRefusedException(503, "engine_busy", "Too many images are being protected; retry shortly.", part,
                ex.RetryAfter ?? TimeSpan.FromSeconds(2), ex);
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

    /// <summary>The per-route caps, stricter than or equal to the engine's own: bytes, format, pixels.</summary>
    private void CheckRouteCaps(byte[] image, string part, RouteProtectionPolicy policy)
    {
        if (image.Length > policy.MaxImageBytes)
            throw new ImageRejectedException(ImageRejectionReason.TooManyBytes, $"The image is {image.Length:N0} bytes; this route allows {policy.MaxImageBytes:N0}.");
        var (format, width, height) = _inspector.Inspect(image);
        if (!policy.Formats.Contains(format))
            throw new ImageRejectedException(ImageRejectionReason.UnsupportedFormat, $"This route does not protect {format} images.");
        if ((long)width * height > policy.MaxImagePixels)
            throw new ImageRejectedException(ImageRejectionReason.TooManyPixels, $"The image has {(long)width * height:N0} pixels; this route allows {policy.MaxImagePixels:N0}.");
    }

    public static int StatusOf(ImageRejectionReason reason) => reason switch
    {
        ImageRejectionReason.TooManyBytes or ImageRejectionReason.TooManyPixels => StatusCodes.Status413PayloadTooLarge,
        ImageRejectionReason.UnsupportedFormat => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    /// <summary>Registers the engine pipeline: concurrency limit (outermost), circuit breaker, timeout (innermost).</summary>
    public static void Configure(ResiliencePipelineBuilder builder, EngineResilienceOptions options)
    {
        builder
            .AddConcurrencyLimiter(options.MaxConcurrency, options.QueueLimit)
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                // Bad images and backpressure are the client's or the load's doing, not engine faults.
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex =>
                    ex is not ImageRejectedException and not EngineOverloadedException and not OperationCanceledException),
            })
            .AddTimeout(options.Timeout);
    }
}
