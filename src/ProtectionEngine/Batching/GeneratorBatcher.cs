using System.Diagnostics;
using System.Threading.Channels;
using UploadGuard.ProtectionEngine.Models;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Batching;

/// <summary>
/// Gathers concurrent generator calls into batches on one worker: the first waiting image opens a batch, which closes
/// when it is full or <see cref="BatchingOptions.MaxWait"/> has passed. The queue is bounded; a full queue refuses
/// at once with <see cref="EngineOverloadedException"/> rather than growing memory.
/// </summary>
public sealed class GeneratorBatcher : IAsyncDisposable
{
    private readonly BatchingOptions _options;
    private readonly Channel<Request> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;

    public GeneratorBatcher(BatchingOptions options)
    {
        if (options.MaxBatchSize < 1 || options.QueueCapacity < 1 || options.MaxWait < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "Batch size and queue capacity must be positive, the wait not negative.");
        _options = options;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Images waiting for a generator pass.</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>
    /// Runs the leased model on one working canvas (CHW floats in [0, 1], square of the model's working size).
    /// Returns tanh(G(x)) for it, same layout. <paramref name="started"/> is called when its batch begins.
    /// </summary>
    public Task<float[]> GenerateAsync(ActiveModel.Lease lease, float[] canvas, Action? started = null, CancellationToken cancellationToken = default)
    {
        int size = lease.Model.Card.WorkingSize;
        if (canvas.Length != 3 * size * size)
            throw new ArgumentException($"Canvas must hold 3x{size}x{size} values.", nameof(canvas));
        cancellationToken.ThrowIfCancellationRequested();

        var request = new Request(lease.Model, canvas, started, cancellationToken);
        if (!_queue.Writer.TryWrite(request))
        {
            EngineMetrics.Rejected.Add(1);
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            throw new EngineOverloadedException(_options.QueueCapacity, RetryAfter());
        }
        EngineMetrics.QueueDepth.Add(1);
        return request.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _worker.ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var left))
        {
            EngineMetrics.QueueDepth.Add(-1);
            left.Completion.TrySetException(new ObjectDisposedException(nameof(GeneratorBatcher)));
        }
        _stopping.Dispose();
    }

    private TimeSpan RetryAfter() => TimeSpan.FromSeconds(Math.Clamp(_options.QueueCapacity / (double)_options.MaxBatchSize, 1, 30));

    private async Task RunAsync()
    {
        var batch = new List<Request>(_options.MaxBatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                batch.Clear();
                await FillAsync(batch).ConfigureAwait(false);
                EngineMetrics.QueueDepth.Add(-batch.Count);
                // A batch runs one model version; requests leased on another (during a hot swap) form their own pass.
                foreach (var group in batch.Where(r => !r.Completion.Task.IsCompleted).GroupBy(r => r.Model))
                    Run(group.Key, group.ToList());
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task FillAsync(List<Request> batch)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxWait.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < _options.MaxBatchSize)
        {
            if (_queue.Reader.TryRead(out var request))
            {
                batch.Add(request);
                continue;
            }
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (batch.Count > 0 && remaining <= TimeSpan.Zero)
                return;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            wait.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                    return;
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static void Run(LoadedModel model, List<Request> requests)
    {
        int size = model.Card.WorkingSize;
        int plane = 3 * size * size;
        var started = Stopwatch.GetTimestamp();
        try
        {
            foreach (var r in requests) r.Started?.Invoke();

            var input = new float[requests.Count * plane];
            for (int i = 0; i < requests.Count; i++)
                requests[i].Canvas.CopyTo(input, i * plane);

            float[] output;
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                var x = tensor(input, [requests.Count, 3, size, size]).to(model.Device);
                output = model.Generator.call(x).cpu().data<float>().ToArray();
            }

            for (int i = 0; i < requests.Count; i++)
                requests[i].Completion.TrySetResult(output.AsSpan(i * plane, plane).ToArray());
        }
        catch (Exception ex)
        {
            foreach (var r in requests) r.Completion.TrySetException(ex);
        }
        finally
        {
            var version = new KeyValuePair<string, object?>("model.version", model.Version);
            EngineMetrics.BatchSize.Record(requests.Count, version);
            EngineMetrics.GeneratorDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, version);
        }
    }

    private sealed class Request
    {
        public Request(LoadedModel model, float[] canvas, Action? started, CancellationToken cancellationToken)
        {
            Model = model;
            Canvas = canvas;
            Started = started;
            if (cancellationToken.CanBeCanceled)
            {
                var registration = cancellationToken.Register(
                    static state => ((TaskCompletionSource<float[]>)state!).TrySetCanceled(), Completion);
                Completion.Task.ContinueWith(
                    static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration, TaskScheduler.Default);
            }
        }

        public LoadedModel Model { get; }

        public float[] Canvas { get; }

        public Action? Started { get; }

        public TaskCompletionSource<float[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
