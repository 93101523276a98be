using System.Threading.RateLimiting;

namespace UploadGuard.Gateway.Engine;

/// <summary>
/// Engine capacity reserved for one request's images (<see cref="ResilientProtection.AdmitAsync"/>): its slots are held
/// until it is disposed, and its images run in them, at most <see cref="Slots"/>' initial count at a time.
/// </summary>
public sealed class EngineAdmission : IDisposable
{
    private readonly RateLimitLease _lease;

    internal EngineAdmission(RateLimitLease lease, int slots)
    {
        _lease = lease;
        Slots = new SemaphoreSlim(slots, slots);
    }

    internal SemaphoreSlim Slots { get; }

    public void Dispose()
    {
        _lease.Dispose();
        Slots.Dispose();
    }
}
