using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using UploadGuard.Gateway.Storage;

namespace UploadGuard.Gateway.Owners;

public static class OwnerServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Protection:OwnerKeys</c> and <c>Data</c>, registers the keyring and the resolver, and adds the owner JWT
    /// scheme to <paramref name="authentication"/> (validated only where a route asks for it, never as the default).
    /// </summary>
    public static IServiceCollection AddOwnerKeys(this IServiceCollection services, AuthenticationBuilder authentication, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        services.Configure<GatewayDataOptions>(configuration.GetSection(GatewayDataOptions.SectionName));
        services.AddOptions<OwnerKeysOptions>()
            .Bind(configuration.GetSection(OwnerKeysOptions.SectionName))
            .Validate(o => Try(() => _ = new TrustedProxies(o.TrustedProxies)), "Protection:OwnerKeys:TrustedProxies must list IP addresses or CIDR ranges.")
            .Validate(o => Try(() => OwnerPolicy.Parse(o.Api.Sources, o.Api.Claim, o.Api.Header, o.Api.FixedOwner)),
                "Protection:OwnerKeys:Api is invalid (sources jwt, header, client, fixed; a fixed source needs FixedOwner).")
            .Validate(o => string.IsNullOrWhiteSpace(o.Jwt.SigningKey) || SigningKeyBytes(o.Jwt.SigningKey).Length >= 32,
                "Protection:OwnerKeys:Jwt:SigningKey must hold at least 32 bytes.")
            .ValidateOnStart();
        services.AddSingleton<OwnerKeys>();
        services.AddSingleton<OwnerResolver>();

        authentication.AddJwtBearer(OwnerResolver.JwtScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(OwnerResolver.JwtScheme)
            .Configure<IOptions<OwnerKeysOptions>>((bearer, owners) => Configure(bearer, owners.Value.Jwt));
        return services;
    }

    private static void Configure(JwtBearerOptions bearer, OwnerJwtOptions jwt)
    {
        // Claim names as the issuer wrote them ("sub", not the long WS-Federation URIs), so UploadGuard.OwnerClaim
        // means what it says.
        bearer.MapInboundClaims = false;
        bearer.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        if (!string.IsNullOrWhiteSpace(jwt.Authority)) bearer.Authority = jwt.Authority;
        if (!string.IsNullOrWhiteSpace(jwt.Audience)) bearer.Audience = jwt.Audience;
        var parameters = bearer.TokenValidationParameters;
        parameters.ValidateAudience = !string.IsNullOrWhiteSpace(jwt.Audience);
        parameters.ValidAudience = jwt.Audience;
        parameters.ValidateIssuer = !string.IsNullOrWhiteSpace(jwt.Issuer) || !string.IsNullOrWhiteSpace(jwt.Authority);
        if (!string.IsNullOrWhiteSpace(jwt.Issuer)) parameters.ValidIssuer = jwt.Issuer;
        parameters.ValidateLifetime = true;
        parameters.RequireExpirationTime = true;
        parameters.ClockSkew = jwt.ClockSkew;
        if (!string.IsNullOrWhiteSpace(jwt.SigningKey))
            parameters.IssuerSigningKey = new SymmetricSecurityKey(SigningKeyBytes(jwt.SigningKey));
    }

    /// <summary>Base64 when it decodes, else the text's UTF-8 bytes: the same rule as owner-key secrets.</summary>
    private static byte[] SigningKeyBytes(string key)
    {
        try
        {
            return Convert.FromBase64String(key.Trim());
        }
        catch (FormatException)
        {
            return Encoding.UTF8.GetBytes(key.Trim());
        }
    }

    private static bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
