using System.Net;

namespace UploadGuard.Gateway.Owners;

/// <summary>The networks whose owner header the gateway believes (<see cref="OwnerKeysOptions.TrustedProxies"/>).</summary>
public sealed class TrustedProxies
{
    private readonly List<IPNetwork> _networks;

    /// <exception cref="FormatException">An entry is neither an address nor a CIDR range.</exception>
    public TrustedProxies(string? list)
    {
        _networks = [];
        foreach (var entry in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
                _networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
                _networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else
                throw new FormatException($"Protection:OwnerKeys:TrustedProxies: '{entry}' is neither an IP address nor a CIDR range.");
        }
    }

    public bool Contains(IPAddress? address)
    {
        if (address is null) return false;
        // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; the configured ranges are written as plain IPv4.
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in _networks)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }
}
