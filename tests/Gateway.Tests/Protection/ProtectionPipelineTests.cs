using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Hubs;
using UploadGuard.Gateway.Jobs;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Problems;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Telemetry;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Tests.Protection;

/// <summary>
/// The pipeline on its own, in the gateway's services: each test counts under a <c>path</c> label of its own, so what
/// it sees is exactly what its one request counted, whatever else the test run does at the same time.
/// </summary>
public sealed class ProtectionPipelineTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private const string User = "alice";

    private static readonly ProtectionSettings Settings =
        new(null, new HashSet<ImageFormatKind> { ImageFormatKind.Jpeg, ImageFormatKind.Png, ImageFormatKind.Webp }, 10_000_000, 10_000_000);

    private ProtectionPipeline Pipeline => gateway.Factory.Services.GetRequiredService<ProtectionPipeline>();

    private JobTracker Jobs => gateway.Factory.Services.GetRequiredService<JobTracker>();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refused_image_counts_one_failure_and_one_refused_image_and_ends_its_job(bool singleImage)
    {
        using var counts = new Counts();
        using var scope = gateway.Factory.Services.CreateScope();
        var context = Context(scope, "image/png", "not really a png"u8.ToArray());
        var request = Request(context, counts.Path, OwnerPolicy.None) with { SingleImage = singleImage ? OutputFormat.Keep : null };

        var refusal = await Pipeline.RunAsync(request, _ => throw new InvalidOperationException("A refused upload is never delivered."));

        Assert.Equal("undecodable", refusal?.Reason);
        Assert.Equal(422, context.Response.StatusCode);
        Assert.Equal(request.RequestedJob, Problem(context).GetProperty("jobId").GetString());
        Assert.Equal(1, counts.Sum("uploadguard.failures"));
        Assert.Equal(1, counts.Sum("uploadguard.failures", ("reason", "undecodable")));
        Assert.Equal(1, counts.Sum("uploadguard.images"));
        Assert.Equal(1, counts.Sum("uploadguard.images", ("outcome", "refused")));
        Assert.Equal(new[] { JobStage.Received, JobStage.Failed }, Stages(request));
        Assert.Equal("undecodable", History(request)[^1].Reason);
    }

    [Fact]
    public async Task A_failed_delivery_counts_one_failure_and_no_refused_image_and_is_not_returned_as_a_refusal()
    {
        using var counts = new Counts();
        using var scope = gateway.Factory.Services.CreateScope();
        var context = Context(scope, "image/png", TestPhotos.Png(seed: 71));
        var request = Request(context, counts.Path, OwnerPolicy.Parse("fixed", null, null, GatewayFixture.SiteOwner));
        ProtectedUpload? delivered = null;

        var refusal = await Pipeline.RunAsync(request, upload =>
        {
            delivered = upload;
            return Task.FromResult<UploadRefusedException?>(new(502, "upstream_unreachable", "The upstream server failed."));
        });

        Assert.Null(refusal);
        Assert.Equal(request.RequestedJob, delivered?.JobId);
        Assert.Single(delivered!.Outcome.Reports);
        Assert.Equal(502, context.Response.StatusCode);
        Assert.Equal(1, counts.Sum("uploadguard.failures"));
        Assert.Equal(1, counts.Sum("uploadguard.failures", ("reason", "upstream_unreachable")));
        Assert.Equal(1, counts.Sum("uploadguard.images"));
        Assert.Equal(1, counts.Sum("uploadguard.images", ("outcome", "perturbed")));
        var stages = Stages(request);
        Assert.Equal(JobStage.Received, stages[0]);
        Assert.Contains(JobStage.Encoded, stages);
        Assert.Equal(JobStage.Failed, stages[^1]);
        Assert.DoesNotContain(JobStage.Done, stages);
    }

    [Fact]
    public async Task A_bad_parameter_is_answered_inside_the_job_after_the_owner()
    {
        var invalid = new UploadRefusedException(400, "invalid_epsilon", "Out of range.");
        using var counts = new Counts();
        using var scope = gateway.Factory.Services.CreateScope();

        // Nothing names the owner the policy asks for: that refusal comes first.
        var ownerless = Context(scope, "image/png", TestPhotos.Png(seed: 72));
        var first = await Pipeline.RunAsync(Request(ownerless, counts.Path, OwnerPolicy.Parse("client", null, null, null)) with { Invalid = invalid }, Undelivered);
        Assert.Equal("owner_required", first?.Reason);

        var context = Context(scope, "image/png", TestPhotos.Png(seed: 72));
        var request = Request(context, counts.Path, OwnerPolicy.None) with { Invalid = invalid };
        var refusal = await Pipeline.RunAsync(request, Undelivered);

        Assert.Same(invalid, refusal);
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal(request.RequestedJob, Problem(context).GetProperty("jobId").GetString());
        Assert.Equal(new[] { JobStage.Received, JobStage.Failed }, Stages(request));
        Assert.Equal(1, counts.Sum("uploadguard.failures", ("reason", "invalid_epsilon")));
        Assert.Equal(0, counts.Sum("uploadguard.images"));
    }

    private static Task<UploadRefusedException?> Undelivered(ProtectedUpload upload) =>
        throw new InvalidOperationException("A refused upload is never delivered.");

    private static DefaultHttpContext Context(IServiceScope scope, string contentType, byte[] body)
    {
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = contentType;
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>A fail-closed request of <see cref="User"/>, under a job id of its own.</summary>
    private static ProtectionRequest Request(HttpContext context, string metricPath, OwnerPolicy owner) =>
        new(context, metricPath, FailMode.Closed, Settings, 10_000_000, owner, StringValues.Empty, User, Guid.NewGuid().ToString("N"));

    private static JsonElement Problem(HttpContext context) =>
        JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray()).RootElement;

    private IReadOnlyList<JobEvent> History(ProtectionRequest request) => Jobs.HistoryFor(request.RequestedJob!, User)!;

    private List<JobStage> Stages(ProtectionRequest request) => History(request).Select(e => e.Stage).ToList();

    /// <summary>The gateway's counters as measured under one fresh <c>path</c> label.</summary>
    private sealed class Counts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, Dictionary<string, object?> Tags, long Value)> _seen = new();

        public Counts()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var labels = new Dictionary<string, object?>();
                foreach (var tag in tags) labels[tag.Key] = tag.Value;
                if (Equals(labels.GetValueOrDefault("path"), Path)) _seen.Enqueue((instrument.Name, labels, value));
            });
            _listener.Start();
        }

        public string Path { get; } = "test-" + Guid.NewGuid().ToString("N");

        public long Sum(string instrument, params (string Key, string Value)[] labels) =>
            _seen.Where(s => s.Instrument == instrument && labels.All(l => Equals(s.Tags.GetValueOrDefault(l.Key), l.Value))).Sum(s => s.Value);

        public void Dispose() => _listener.Dispose();
    }
}
