namespace UploadGuard.ProtectionEngine.Models;

/// <summary>
/// Holds the generator new work should use. Each piece of work takes a lease; activating another version swaps the
/// reference atomically, and the old model is disposed only when its last lease is returned, so work that began on a
/// version finishes on it.
/// </summary>
public sealed class ActiveModel : IDisposable
{
    private Entry _current;

    public ActiveModel(LoadedModel initial)
    {
        _current = new Entry(initial);
    }

    /// <summary>The card of the version new work gets now.</summary>
    public ModelCard Card => Volatile.Read(ref _current).Model.Card;

    /// <summary>Raised after a different version became active.</summary>
    public event Action<ModelCard>? Activated;

    public Lease Acquire()
    {
        while (true)
        {
            var entry = Volatile.Read(ref _current);
            if (entry.TryAddRef())
                return new Lease(entry);
            // The entry was swapped out and released between the read and the increment; read the new one.
        }
    }

    public void Activate(LoadedModel model)
    {
        var old = Interlocked.Exchange(ref _current, new Entry(model));
        old.Release();
        Activated?.Invoke(model.Card);
    }

    public void Dispose() => Volatile.Read(ref _current).Release();

    /// <summary>Keeps one model version alive while work uses it.</summary>
    public sealed class Lease : IDisposable
    {
        private Entry? _entry;

        internal Lease(Entry entry)
        {
            _entry = entry;
            Model = entry.Model;
        }

        public LoadedModel Model { get; }

        public void Dispose() => Interlocked.Exchange(ref _entry, null)?.Release();
    }

    internal sealed class Entry(LoadedModel model)
    {
        private int _references = 1;   // the ActiveModel's own reference while this entry is current

        public LoadedModel Model { get; } = model;

        public bool TryAddRef()
        {
            int seen = Volatile.Read(ref _references);
            while (seen > 0)
            {
                int previous = Interlocked.CompareExchange(ref _references, seen + 1, seen);
                if (previous == seen) return true;
                seen = previous;
            }
            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
                Model.Dispose();
        }
    }
}
