using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using UploadGuard.Gateway.Security;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Owners;

/// <summary>
/// Finds the owner of a request's photos by an <see cref="OwnerPolicy"/> and turns it into the owner's key. A source
/// that is absent passes to the next; one that is present but wrong (a bad or expired token, an owner header from an
/// address that is not trusted, an owner id that is not valid) refuses the request, whatever comes after it.
/// </summary>
public sealed class OwnerResolver(OwnerKeys keys, IOptions<OwnerKeysOptions> options, IOptionsMonitor<JwtBearerOptions> bearers)
{
    /// <summary>How long a client is asked to wait when the issuer's keys cannot be fetched.</summary>
    private static readonly TimeSpan IssuerRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>The authentication scheme that validates owner JWTs (never the default scheme).</summary>
    public const string JwtScheme = "UploadGuardOwnerJwt";

    private readonly TrustedProxies _trusted = new(options.Value.TrustedProxies);

    /// <summary>Where <c>/api/protect</c> finds the owner (<see cref="OwnerKeysOptions.Api"/>, validated at start-up).</summary>
    public OwnerPolicy ApiPolicy { get; } = OwnerPolicy.Parse(options.Value.Api.Sources, options.Value.Api.Claim, options.Value.Api.Header, options.Value.Api.FixedOwner);

    /// <summary>
    /// Takes the policy's owner header off the request, so that neither a forwarded request nor the upstream ever sees
    /// the owner id; resolve with what it returns.
    /// </summary>
    public static StringValues TakeHeader(HttpRequest request, OwnerPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.Uses(OwnerSource.Header)) return StringValues.Empty;
        var value = request.Headers[policy.Header];
        request.Headers.Remove(policy.Header);
        return value;
    }

    /// <summary>The owner's key under the current secret, or null when the policy names no owner source.</summary>
    /// <exception cref="UploadRefusedException">The owner is required and missing, or a source presented is refused.</exception>
    public async Task<OwnerKey?> ResolveKeyAsync(HttpContext context, OwnerPolicy policy, StringValues header) =>
        await ResolveAsync(context, policy, header) is { } owner ? keys.Keyring.Derive(owner) : null;

    /// <inheritdoc cref="ResolveKeyAsync"/>
    public async Task<string?> ResolveAsync(HttpContext context, OwnerPolicy policy, StringValues header)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var source in policy.Sources)
        {
            var owner = source switch
            {
                OwnerSource.Client => FromClient(context),
                OwnerSource.Header => FromHeader(context, policy, header),
                OwnerSource.Jwt => await FromJwtAsync(context, policy),
                _ => policy.FixedOwner,
            };
            if (owner is not null) return owner;
        }
        if (!policy.NamesOwner) return null;
        throw new UploadRefusedException(StatusCodes.Status401Unauthorized, "owner_required",
            $"This route protects photos with their owner's key and the request names no owner (sources: {string.Join(", ", policy.Sources).ToLowerInvariant()}).");
    }

    /// <summary>The gateway's own client user; an admin token names no owner (administration is not a photo owner).</summary>
    private static string? FromClient(HttpContext context)
    {
        var identity = context.User.Identity;
        if (identity?.AuthenticationType != ClientTokenAuthenticationHandler.SchemeName || !identity.IsAuthenticated) return null;
        if (context.User.IsInRole(ClientTokenAuthenticationHandler.AdminRole)) return null;
        return Valid(identity.Name, "client user");
    }

    private string? FromHeader(HttpContext context, OwnerPolicy policy, StringValues header)
    {
        if (header.Count == 0) return null;
        if (!_trusted.Contains(context.Connection.RemoteIpAddress))
            throw new UploadRefusedException(StatusCodes.Status403Forbidden, "untrusted_owner_header",
                $"The {policy.Header} header is only accepted from trusted proxies (Protection:OwnerKeys:TrustedProxies).");
        if (header.Count > 1)
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, "invalid_owner", $"The {policy.Header} header must appear once.");
        return Valid(header.ToString(), policy.Header + " header");
    }

    private async Task<string?> FromJwtAsync(HttpContext context, OwnerPolicy policy)
    {
        if (!options.Value.Jwt.IsConfigured)
            throw new UploadRefusedException(StatusCodes.Status503ServiceUnavailable, "route_misconfigured",
                "This route takes its owner from a JWT, but no issuer is configured (Protection:OwnerKeys:Jwt).");
        var result = await context.AuthenticateAsync(JwtScheme);
        if (result.None) return null;
        if (!result.Succeeded && result.Failure is SecurityTokenSignatureKeyNotFoundException && !await IssuerReachableAsync(context.RequestAborted))
        {
            // The token was never judged: the validator, finding no authority metadata, went on with no keys at all.
            // Not the client's fault, and a retry may succeed.
            throw new UploadRefusedException(StatusCodes.Status503ServiceUnavailable, "owner_issuer_unavailable",
                "The owner token's issuer could not be reached to check it; try again later.", retryAfter: IssuerRetryAfter, inner: result.Failure);
        }
        if (!result.Succeeded)
        {
            // Only the kind of failure goes to the client: the validator's own message can name claims or keys.
            bool expired = result.Failure is SecurityTokenExpiredException;
            throw new UploadRefusedException(StatusCodes.Status401Unauthorized, expired ? "owner_token_expired" : "owner_token_invalid",
                expired ? "The owner token has expired." : "The owner token is not valid (signature, issuer, audience or format).");
        }
        var claim = result.Principal.FindFirst(policy.Claim)?.Value;
        if (string.IsNullOrEmpty(claim))
            throw new UploadRefusedException(StatusCodes.Status401Unauthorized, "owner_claim_missing", $"The owner token has no '{policy.Claim}' claim.");
        return Valid(claim, $"'{policy.Claim}' claim");
    }

    /// <summary>
    /// Whether the authority's metadata is at hand (fetched now or kept from before). Asked only after a token's key was
    /// not found: then either the token names a key the issuer never published (401) or there were no keys (503).
    /// </summary>
    private async Task<bool> IssuerReachableAsync(CancellationToken cancellationToken)
    {
        var manager = bearers.Get(JwtScheme).ConfigurationManager;
        if (manager is null)
            return true;   // symmetric key only: nothing to fetch
        try
        {
            await manager.GetConfigurationAsync(cancellationToken);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Valid(string? owner, string where)
    {
        try
        {
            OwnerKeyring.ValidateOwnerId(owner ?? "");
            return owner!;
        }
        catch (ArgumentException)
        {
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, "invalid_owner",
                $"The owner in the {where} must be 1-256 characters without control characters.");
        }
    }
}
