using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Problems;

namespace UploadGuard.Gateway.Security;

/// <summary>
/// Authenticates a user by a token from <see cref="ClientTokenOptions"/>: <c>Authorization: Bearer</c> on the API,
/// <c>access_token</c> in the query string for the SignalR hub (browsers cannot set headers on WebSockets), or the
/// <c>X-UploadGuard-Token</c> header / <c>uploadguard_token</c> cookie that ties transparent uploads to a user.
/// </summary>
public sealed class ClientTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<ClientTokenOptions> clients,
    IOptionsMonitor<AdminOptions> admin)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "UploadGuardToken";
    public const string TokenHeader = "X-UploadGuard-Token";
    public const string TokenCookie = "uploadguard_token";
    public const string AdminRole = "uploadguard-admin";
    public const string AdminName = "admin";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken(Context);
        if (token is null)
            return Task.FromResult(AuthenticateResult.NoResult());
        if (IsAdminToken(admin.CurrentValue, token))
        {
            // A browser attaches a cookie to requests any page makes (cross-site request forgery on POST /admin/...);
            // the admin token counts only where a page cannot put it: our header, Authorization, or the hub's query.
            if (Context.Request.Cookies[TokenCookie] == token && ReadHeaderToken(Context) != token && !IsHubQueryToken(Context, token))
                return Task.FromResult(AuthenticateResult.Fail("The admin token is not accepted from a cookie."));
            var administrator = new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, AdminName), new Claim(ClaimTypes.Name, AdminName), new Claim(ClaimTypes.Role, AdminRole)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(administrator), SchemeName)));
        }
        var user = FindUser(clients.CurrentValue, token);
        if (user is null)
            return Task.FromResult(AuthenticateResult.Fail("Unknown token."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user), new Claim(ClaimTypes.Name, user)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        UploadGuard.Gateway.Problems.ProblemResponses.WriteAsync(Context,
            new UploadGuard.Gateway.Problems.UploadRefusedException(StatusCodes.Status401Unauthorized, "unauthenticated", "A valid token is required (Authorization: Bearer <token>)."));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        UploadGuard.Gateway.Problems.ProblemResponses.WriteAsync(Context,
            new UploadGuard.Gateway.Problems.UploadRefusedException(StatusCodes.Status403Forbidden, "forbidden", "This token may not use this route."));

    /// <summary>
    /// Our own header and cookie come first: on proxied routes the Authorization header belongs to the upstream site.
    /// </summary>
    public static string? ReadToken(HttpContext context)
    {
        if (context.Request.Headers[TokenHeader] is { Count: > 0 } header)
            return header.ToString();
        if (context.Request.Cookies[TokenCookie] is { Length: > 0 } cookie)
            return cookie;
        if (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query["access_token"] is { Count: > 0 } query)
            return query.ToString();
        string? authorization = context.Request.Headers.Authorization;
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    /// <summary>
    /// A token from our header or <c>Authorization: Bearer</c> only: never the cookie (which a browser attaches to any
    /// page's request) nor the query string. For endpoints that must not be reachable by cross-site requests.
    /// </summary>
    public static string? ReadHeaderToken(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Headers[TokenHeader] is { Count: > 0 } header)
            return header.ToString();
        string? authorization = context.Request.Headers.Authorization;
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    private static bool IsHubQueryToken(HttpContext context, string token) =>
        context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query["access_token"].ToString() == token;

    /// <summary>The user whose token matches, comparing SHA-256 digests in fixed time.</summary>
    public static string? FindUser(ClientTokenOptions options, string token) =>
        Match(options.Users.Select(u => (u.Token, (string?)u.Name)), token);

    public static bool IsAdminToken(AdminOptions options, string token) =>
        Match(options.Tokens.Select(t => (t, (string?)AdminName)), token) is not null;

    private static string? Match(IEnumerable<(string Token, string? Name)> candidates, string token)
    {
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        string? found = null;
        foreach (var (expected, name) in candidates)
        {
            if (expected.Length == 0) continue;
            if (CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
                found = name;   // no early exit: every token is compared
        }
        return found;
    }

    /// <summary>Strips our token header and cookie from a request about to be proxied.</summary>
    public static void RemoveTokens(HttpRequest request)
    {
        request.Headers.Remove(TokenHeader);
        if (!request.Cookies.ContainsKey(TokenCookie)) return;
        // Drop only our pair from the raw header, leaving the site's cookies exactly as the browser sent them.
        var kept = request.Headers.Cookie.SelectMany(h => (h ?? "").Split(';'))
            .Where(pair => pair.Split('=', 2)[0].Trim() != TokenCookie)
            .Select(pair => pair.Trim())
            .Where(pair => pair.Length > 0)
            .ToList();
        if (kept.Count == 0) request.Headers.Remove("Cookie");
        else request.Headers.Cookie = string.Join("; ", kept);
    }
}
