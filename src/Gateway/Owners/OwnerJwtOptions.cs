namespace UploadGuard.Gateway.Owners;

/// <summary>
/// How owner JWTs are validated (section <c>Protection:OwnerKeys:Jwt</c>): an OpenID Connect <see cref="Authority"/>
/// (keys and issuer from its discovery document) or a symmetric <see cref="SigningKey"/>, or both.
/// </summary>
public sealed class OwnerJwtOptions
{
    /// <summary>The OpenID Connect issuer whose discovery document gives the signing keys, e.g. https://login.example/.</summary>
    public string? Authority { get; set; }

    /// <summary>A shared HS256 key: base64 of at least 32 bytes, or text of at least 32 bytes.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The <c>iss</c> tokens must carry; not checked when empty and no <see cref="Authority"/> is set.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> tokens must carry; not checked when empty.</summary>
    public string? Audience { get; set; }

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether the authority's metadata must come over HTTPS (turn off only for a local test issuer).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKey);
}
