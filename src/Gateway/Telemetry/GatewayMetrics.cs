using System.Diagnostics.Metrics;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Telemetry;

/// <summary>The gateway's instruments (meter <see cref="MeterName"/>), exported by OpenTelemetry at <c>/metrics</c>.</summary>
public static class GatewayMetrics
{
    public const string MeterName = "UploadGuard.Gateway";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Uploads = Meter.CreateCounter<long>(
        "uploadguard.uploads", "{request}", "Upload requests by outcome: perturbed, unperturbed, passthrough, refused.");

    /// <summary>The <c>path</c> label of images and failures that came through a proxied route.</summary>
    public const string ProxyPath = "proxy";

    /// <summary>The <c>path</c> label of images and failures that came through <c>POST /api/protect</c>.</summary>
    public const string ApiPath = "api";

    public static readonly Counter<long> Images = Meter.CreateCounter<long>(
        "uploadguard.images", "{image}", "Images by outcome (perturbed, unperturbed, refused) and path (proxy, api).");

    public static readonly Counter<long> Bytes = Meter.CreateCounter<long>(
        "uploadguard.image.bytes", "By", "Image bytes, tagged direction=in|out.");

    public static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "uploadguard.failures", "{failure}", "Refusals and failures by reason code and path (proxy, api); each refusal counts once.");

    /// <summary>Counts one image by outcome, on the path it came through.</summary>
    public static void CountImage(string outcome, string path) =>
        Images.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("path", path));

    /// <summary>Counts one perturbed image on the path it came through: the image, its bytes in and out, its stage times.</summary>
    public static void CountPerturbed(ProtectionResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        CountImage("perturbed", path);
        Bytes.Add(result.Report.InputBytes, new KeyValuePair<string, object?>("direction", "in"));
        Bytes.Add(result.Data.Length, new KeyValuePair<string, object?>("direction", "out"));
        var t = result.Report.Timings;
        foreach (var (stage, ms) in new[] { ("decode", t.DecodeMs), ("queue", t.QueueMs), ("generator", t.GeneratorMs), ("apply", t.ApplyMs), ("encode", t.EncodeMs), ("verify", t.VerifyMs) })
            StageDuration.Record(ms / 1000, new KeyValuePair<string, object?>("stage", stage));
    }

    /// <summary>Counts one refusal or failure by reason code, on the path it came through. Call it once per refusal.</summary>
    public static void CountFailure(string reason, string path) =>
        Failures.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("path", path));

    public static readonly UpDownCounter<long> UploadsInFlight = Meter.CreateUpDownCounter<long>(
        "uploadguard.uploads.in_flight", "{request}", "Uploads on protected routes being buffered, protected or forwarded right now.");

    public static readonly UpDownCounter<long> BufferedBytes = Meter.CreateUpDownCounter<long>(
        "uploadguard.buffered", "By", "Request bytes held in memory by uploads in flight; back to 0 when the gateway is idle.");

    // Explicit buckets in seconds: the exporter's defaults (0, 5, 10, 25, ... meant for milliseconds) put every stage
    // in the first bucket, so no percentile could be read from them.
    public static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>(
        "uploadguard.stage.duration", "s", "Time per stage (decode, queue, generator, apply, encode, verify, upstream).", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
}
