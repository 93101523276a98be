using System.Globalization;
using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Owners;
using UploadGuard.Gateway.Protection;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Proxy;

/// <summary>
/// Protection settings of one YARP route, read from its metadata:
/// <c>UploadGuard.Protect</c> (true/false), <c>UploadGuard.Epsilon</c> (unset: <see cref="ProtectionDefaults.Epsilon"/>), <c>UploadGuard.FailMode</c> (closed/open),
/// <c>UploadGuard.Formats</c> (comma list of jpeg, png, webp), <c>UploadGuard.MaxImageBytes</c>,
/// <c>UploadGuard.MaxImagePixels</c> and <c>UploadGuard.MaxRequestBytes</c>; and where the photos' owner comes from
/// (<see cref="OwnerPolicy"/>): <c>UploadGuard.OwnerSources</c> (comma list of jwt, header, client, fixed),
/// <c>UploadGuard.OwnerClaim</c>, <c>UploadGuard.OwnerHeader</c> and <c>UploadGuard.FixedOwner</c>.
/// </summary>
public sealed record RouteProtectionPolicy(bool Enabled, FailMode FailMode, ProtectionSettings Settings, long MaxRequestBytes, OwnerPolicy Owner)
{
    public const string Prefix = "UploadGuard.";

    public static RouteProtectionPolicy Parse(IReadOnlyDictionary<string, string>? metadata, ProtectionDefaults defaults, ImagingOptions imaging)
    {
        string? Get(string key) => metadata is not null && metadata.TryGetValue(Prefix + key, out var value) ? value : null;

        bool enabled = Get("Protect") is { } protect && bool.Parse(protect);
        int? epsilon = Get("Epsilon") is { } e ? int.Parse(e, CultureInfo.InvariantCulture) : defaults.Epsilon;
        var failMode = Get("FailMode") is { } f ? Enum.Parse<FailMode>(f, ignoreCase: true) : defaults.FailMode;
        var formats = Get("Formats") is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(name => Enum.Parse<ImageFormatKind>(name, ignoreCase: true)).ToHashSet()
            : defaults.Formats.ToHashSet();
        long maxImageBytes = Math.Min(Get("MaxImageBytes") is { } b ? long.Parse(b, CultureInfo.InvariantCulture) : long.MaxValue, imaging.MaxBytes);
        long maxPixels = Math.Min(Get("MaxImagePixels") is { } p ? long.Parse(p, CultureInfo.InvariantCulture) : long.MaxValue, imaging.MaxPixels);
        long maxRequest = Get("MaxRequestBytes") is { } r ? long.Parse(r, CultureInfo.InvariantCulture) : defaults.MaxRequestBytes;

        if (!ProtectionOptions.IsValidEpsilon(epsilon) || maxImageBytes < 1 || maxPixels < 1 || maxRequest < 1)
            throw new FormatException("Route protection metadata is out of range.");
        var owner = OwnerPolicy.Parse(Get("OwnerSources"), Get("OwnerClaim"), Get("OwnerHeader"), Get("FixedOwner"));
        return new RouteProtectionPolicy(enabled, failMode, new ProtectionSettings(epsilon, formats, maxImageBytes, maxPixels), maxRequest, owner);
    }
}
