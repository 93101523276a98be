namespace UploadGuard.Bench.Training;

/// <summary>Reports on the caller's thread at once (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
