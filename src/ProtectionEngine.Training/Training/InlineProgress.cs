namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Reports on the calling thread, in order. <see cref="Progress{T}"/> would post to the thread pool, where reports can
/// arrive out of order or after the run has finished.
/// </summary>
public sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
