using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Engine;

/// <summary>
/// The gateway-wide budget of decoded pixels in flight: what an image will cost once decoded (read from its header,
/// before any pixel buffer exists), not what it weighs on the wire. A 35 KB PNG can decode to 36 million pixels and
/// half a gigabyte; a handful of those at once used to exhaust memory, time out in the engine and open the circuit
/// breaker for every client.
/// </summary>
/// <remarks>
/// First fit, not first in line: a request that fits the budget left runs at once even if a larger one is waiting,
/// so a queue of large images never holds small ones behind it. A request that does not fit within
/// <see cref="EngineResilienceOptions.DecodeBudgetWait"/> is refused with 503 <c>decode_budget_busy</c> and Retry-After.
/// </remarks>
public sealed class DecodeBudget(IOptions<EngineResilienceOptions> options)
{
    private readonly object _gate = new();
    private readonly LinkedList<(long Pixels, TaskCompletionSource Granted)> _waiting = new();
    private long _inFlight;

    /// <summary>Decoded pixels admitted and not yet released.</summary>
    public long InFlight
    {
        get
        {
            lock (_gate) return _inFlight;
        }
    }

    /// <summary>Waits (briefly) until <paramref name="pixels"/> fit the budget; dispose the lease when they are decoded and done.</summary>
    /// <exception cref="UploadRefusedException">503 <c>decode_budget_busy</c>: they did not fit in time.</exception>
    public async Task<IDisposable> AcquireAsync(long pixels, string part, CancellationToken cancellationToken)
    {
        // One request larger than the whole budget (route caps allow it) runs alone rather than never.
        long budget = options.Value.MaxDecodedPixelsInFlight;
        pixels = Math.Clamp(pixels, 0, budget);
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_gate)
        {
            if (_inFlight + pixels <= budget)
            {
                _inFlight += pixels;
                return new Lease(this, pixels);
            }
            node = _waiting.AddLast((pixels, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }

        var granted = node.Value.Item2.Task;
        try
        {
            await granted.WaitAsync(options.Value.DecodeBudgetWait, cancellationToken);
            return new Lease(this, pixels);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                // Grant() takes a waiter off the list under this lock before it completes the task: off the list means
                // granted (perhaps not yet completed) as the wait ended, and its pixels are given back.
                if (node.List is null)
                    _inFlight -= pixels;
                else
                    _waiting.Remove(node);
            }
            Grant();
            if (ex is OperationCanceledException) throw;
            throw new UploadRefusedException(StatusCodes.Status503ServiceUnavailable, "decode_budget_busy",
                $"The gateway is decoding as many pixels as it allows ({budget:N0}); these {pixels:N0} did not fit within {options.Value.DecodeBudgetWait.TotalSeconds:0} s. Retry shortly.",
                part, options.Value.DecodeBudgetWait);
        }
    }

    private void Release(long pixels)
    {
        lock (_gate) _inFlight -= pixels;
        Grant();
    }

    /// <summary>Admits every waiting request that fits now, oldest first.</summary>
    private void Grant()
    {
        var granted = new List<TaskCompletionSource>();
        lock (_gate)
        {
            for (var node = _waiting.First; node is not null;)
            {
                var next = node.Next;
                if (_inFlight + node.Value.Pixels <= options.Value.MaxDecodedPixelsInFlight)
                {
                    _inFlight += node.Value.Pixels;
                    granted.Add(node.Value.Granted);
                    _waiting.Remove(node);
                }
                node = next;
            }
        }
        foreach (var waiter in granted) waiter.TrySetResult();
    }

    private sealed class Lease(DecodeBudget budget, long pixels) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                budget.Release(pixels);
        }
    }
}
