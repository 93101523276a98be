using System.Threading.RateLimiting;

namespace UploadGuard.Gateway.Engine;

/// <summary>
/// Engine capacity reserved for one request's images (<see cref="ResilientProtection.AdmitAsync"/>): its slots and its
/// share of the <see cref="DecodeBudget"/> are held
/// until it is disposed, and its images run in them, at most <see cref="Slots"/>' initial count at a time.
/// </summary>
public sealed class EngineAdmission : IDisposable
{
    private readonly RateLimitLease _lease;
    private readonly IDisposable _decodeBudget;

    internal EngineAdmission(RateLimitLease lease, IDisposable decodeBudget, int slots)
    {
        _lease = lease;
        _decodeBudget = decodeBudget;
        Slots = new SemaphoreSlim(slots, slots);
    }

    internal SemaphoreSlim Slots { get; }

    public void Dispose()
    {
        _lease.Dispose();
        _decodeBudget.Dispose();
        Slots.Dispose();
    }
}
