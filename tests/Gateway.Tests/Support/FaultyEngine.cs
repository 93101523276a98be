using UploadGuard.Gateway.Engine;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>The real engine behind a switch that injects faults: exceptions, slowness, or a call that never returns.</summary>
public sealed class FaultyEngine(EngineState state) : IProtectionEngine
{
    public enum Fault
    {
        None,
        Throw,
        /// <summary>Takes <see cref="Delay"/>, but honours cancellation.</summary>
        Slow,
        /// <summary>Never completes and ignores cancellation, as a hung native call would.</summary>
        Stuck,
        /// <summary>Waits (honouring cancellation) until <see cref="Release"/>, then protects: a busy engine under control.</summary>
        Held,
    }

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly LocalProtectionEngine _real = new(state);
    private int _calls;
    private volatile Fault _mode;

    public Fault Mode
    {
        get => _mode;
        set => _mode = value;
    }

    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(10);

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Lets every held call (and every later one) go on.</summary>
    public void Release() => _gate.TrySetResult();

    public ModelCard ActiveCard => _real.ActiveCard;

    public async Task<ProtectionResult> ProtectAsync(Stream input, ProtectionOptions options, IProgress<ProtectionProgress>? progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        switch (Mode)
        {
            case Fault.Throw:
                throw new InvalidOperationException("injected engine fault");
            case Fault.Slow:
                await Task.Delay(Delay, cancellationToken);
                break;
            case Fault.Stuck:
                await new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously).Task;
                break;
            case Fault.Held:
                await _gate.Task.WaitAsync(cancellationToken);
                break;
        }
        return await _real.ProtectAsync(input, options, progress, cancellationToken);
    }

    /// <summary>Removal is not under test here: always the real engine.</summary>
    public UnprotectResult Unprotect(ReadOnlyMemory<byte> encoded, IReadOnlyList<OwnerKey> candidates, int? epsilon, OutputFormat format, CancellationToken cancellationToken) =>
        _real.Unprotect(encoded, candidates, epsilon, format, cancellationToken);
}
