using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UploadGuard.Gateway.Tests.Support;

/// <summary>
/// An OpenID Connect issuer on loopback, as far as a token's consumer sees one: a discovery document and a JSON Web Key
/// Set over real HTTP, and RS256 tokens signed with the key it publishes. The gateway under test is pointed at it as
/// its authority and fetches the keys itself.
/// </summary>
public sealed class LocalOpenIdIssuer : IAsyncDisposable
{
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "issuer-key-1" };
    private WebApplication? _app;

    public Uri Address { get; private set; } = null!;

    /// <summary>The <c>iss</c> the discovery document names and the tokens carry.</summary>
    public required string Issuer { get; init; }

    private int _discoveryRequests;

    /// <summary>How often the discovery document was fetched.</summary>
    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", (HttpContext context) =>
        {
            Interlocked.Increment(ref _discoveryRequests);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = new Uri(Address, "jwks").ToString(),
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        _app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_key.Rsa.ExportParameters(false)) { KeyId = _key.KeyId });
            return Results.Json(new
            {
                keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } },
            });
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>A token for <paramref name="subject"/> signed with the published key, or with a key of the same id that was never published.</summary>
    public string Token(string subject, string audience, bool withUnpublishedKey = false)
    {
        var key = withUnpublishedKey ? new RsaSecurityKey(RSA.Create(2048)) { KeyId = _key.KeyId } : _key;
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
        _key.Rsa.Dispose();
    }
}
