using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// Makes sure only one gateway instance trains at a time when several share a registry. With Redis configured
/// (<c>SignalR:Redis</c>, the backplane's server) the lease is a Redis lock that the holder renews while it trains and
/// that expires if the holder dies; without it, the instance's own one-job rule is all there is.
/// </summary>
public sealed class TrainingLease : IAsyncDisposable
{
    private const string Key = "uploadguard:training-lease";
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(60);

    private readonly Lazy<Task<ConnectionMultiplexer>>? _redis;
    private readonly string _holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public TrainingLease(IConfiguration configuration)
    {
        if (configuration["SignalR:Redis"] is { Length: > 0 } connection)
            _redis = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectionMultiplexer.ConnectAsync(connection));
    }

    public bool IsShared => _redis is not null;

    /// <summary>Takes the lease; false when another instance holds it.</summary>
    public async Task<bool> TryAcquireAsync()
    {
        if (_redis is null) return true;
        var db = (await _redis.Value).GetDatabase();
        return await db.LockTakeAsync(Key, _holder, Expiry);
    }

    /// <summary>Extends the lease while training; false if it was lost (it expired and someone else took it).</summary>
    public async Task<bool> RenewAsync()
    {
        if (_redis is null) return true;
        return await (await _redis.Value).GetDatabase().LockExtendAsync(Key, _holder, Expiry);
    }

    public async Task ReleaseAsync()
    {
        if (_redis is null) return;
        await (await _redis.Value).GetDatabase().LockReleaseAsync(Key, _holder);
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is { IsValueCreated: true })
            await (await _redis.Value).DisposeAsync();
    }
}
