using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.Gateway.Owners;

/// <summary>
/// Where one route (or <c>/api/protect</c>) finds the owner of a request's photos: <see cref="Sources"/> tried in
/// order, the first that gives an owner wins. With no sources the request names no owner (fine for models that are
/// not owner-keyed). With sources and no owner found, the request is refused (401 <c>owner_required</c>); a
/// <see cref="OwnerSource.Fixed"/> source last in the list is the route's fallback owner instead.
/// </summary>
public sealed record OwnerPolicy(IReadOnlyList<OwnerSource> Sources, string Claim, string Header, string? FixedOwner)
{
    public const string DefaultClaim = "sub";
    public const string DefaultHeader = "X-UploadGuard-Owner";

    public static OwnerPolicy None { get; } = new([], DefaultClaim, DefaultHeader, null);

    public bool NamesOwner => Sources.Count > 0;

    public bool Uses(OwnerSource source) => Sources.Contains(source);

    /// <exception cref="FormatException">An unknown source, a fixed source without a valid owner, or an owner without a fixed source.</exception>
    public static OwnerPolicy Parse(string? sources, string? claim, string? header, string? fixedOwner)
    {
        var list = new List<OwnerSource>();
        foreach (var name in (sources ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (name.Equals("none", StringComparison.OrdinalIgnoreCase)) continue;
            if (!Enum.TryParse<OwnerSource>(name, ignoreCase: true, out var source) || !Enum.IsDefined(source) || char.IsDigit(name[0]))
                throw new FormatException($"Unknown owner source '{name}' (jwt, header, client, fixed).");
            if (!list.Contains(source)) list.Add(source);
        }

        bool wantsFixed = list.Contains(OwnerSource.Fixed);
        if (wantsFixed != !string.IsNullOrEmpty(fixedOwner))
            throw new FormatException(wantsFixed ? "The fixed owner source needs a fixed owner." : "A fixed owner is set but 'fixed' is not among the owner sources.");
        if (fixedOwner is not null && wantsFixed)
        {
            try
            {
                OwnerKeyring.ValidateOwnerId(fixedOwner);
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"The fixed owner is not a valid owner id: {ex.Message}", ex);
            }
        }
        if (header is not null && !IsToken(header))
            throw new FormatException($"'{header}' is not a valid header name.");

        return new OwnerPolicy(list,
            string.IsNullOrWhiteSpace(claim) ? DefaultClaim : claim.Trim(),
            string.IsNullOrWhiteSpace(header) ? DefaultHeader : header.Trim(),
            wantsFixed ? fixedOwner : null);
    }

    private static bool IsToken(string name) =>
        name.Trim().Length > 0 && name.Trim().All(c => c < 127 && (char.IsLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)));
}
