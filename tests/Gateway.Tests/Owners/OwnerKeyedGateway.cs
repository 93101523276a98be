using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UploadGuard.Gateway.Tests.Support;

namespace UploadGuard.Gateway.Tests.Owners;

/// <summary>
/// The gateway as a real process on loopback with an owner-keyed active model, in front of the real upstream process,
/// configured only through the environment: no owner-key secret (so it creates one in its data folder), owner JWTs
/// signed with a local symmetric key or by a local OpenID Connect issuer it is pointed at as its authority, the owner header trusted from 127.0.0.1 only (requests bound to 127.0.0.2 are
/// an untrusted address), an admin token, and one route per owner source.
/// </summary>
public sealed class OwnerKeyedGateway : IAsyncLifetime
{
    /// <summary>The test classes that share one such gateway (starting a process costs seconds on two cores).</summary>
    public const string Collection = "owner-keyed gateway";

    public const string AdminToken = "owner-tests-admin-token-4e1b";
    public const string Issuer = "uploadguard-tests";
    public const string Audience = "uploadguard-gateway";
    public const string FixedOwner = "olga-5c1e";
    private const string SigningKeyText = "owner-tests-jwt-signing-key-0123456789abcdef";

    private readonly string _work = Directory.CreateTempSubdirectory("uploadguard-owners-").FullName;

    public RecordingUpstream Upstream { get; } = new();

    /// <summary>The authority the gateway fetches RS256 signing keys from (it also keeps the symmetric key).</summary>
    public LocalOpenIdIssuer Authority { get; } = new() { Issuer = Issuer };

    public ChildProcess Gateway { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A client whose connections come from 127.0.0.2, an address outside TrustedProxies.</summary>
    public HttpClient Untrusted { get; private set; } = null!;

    public string DataPath => Path.Combine(_work, "data");

    public string SecretPath => Path.Combine(DataPath, "owner-secret");

    public string DemoStore => Path.Combine(_work, "demo-store");

    public async Task InitializeAsync()
    {
        await Upstream.InitializeAsync();
        await Authority.StartAsync();
        var models = OwnerKeyedRegistry.Create(Path.Combine(_work, "models"));
        var environment = GatewayFixture.ProcessEnvironment(Upstream.Address);
        // This gateway makes its own secret: take out the fixed one the other test gateways use.
        environment.Remove("Protection__OwnerKeys__Secret");
        environment["Engine__ModelsPath"] = models;
        environment["Data__Path"] = DataPath;
        environment["DemoUpstream__StoragePath"] = DemoStore;
        environment["Admin__Tokens__0"] = AdminToken;
        environment["Protection__OwnerKeys__TrustedProxies"] = "127.0.0.1/32";
        environment["Protection__OwnerKeys__Jwt__SigningKey"] = SigningKeyText;
        environment["Protection__OwnerKeys__Jwt__Issuer"] = Issuer;
        environment["Protection__OwnerKeys__Jwt__Audience"] = Audience;
        environment["Protection__OwnerKeys__Jwt__Authority"] = Authority.Address.ToString();
        environment["Protection__OwnerKeys__Jwt__RequireHttpsMetadata"] = "false";
        environment["Logging__LogLevel__UploadGuard"] = "Trace";
        void Route(string id, params (string Key, string Value)[] metadata)
        {
            environment[$"ReverseProxy__Routes__{id}__ClusterId"] = "up";
            environment[$"ReverseProxy__Routes__{id}__Match__Path"] = $"/{id}/{{**rest}}";
            environment[$"ReverseProxy__Routes__{id}__Metadata__UploadGuard.Protect"] = "true";
            foreach (var (key, value) in metadata)
                environment[$"ReverseProxy__Routes__{id}__Metadata__UploadGuard.{key}"] = value;
        }
        Route("jwt", ("OwnerSources", "jwt"));
        Route("header", ("OwnerSources", "header"));
        Route("client", ("OwnerSources", "client"));
        Route("fixed", ("OwnerSources", "fixed"), ("FixedOwner", FixedOwner));
        Route("fallback", ("OwnerSources", "header,fixed"), ("FixedOwner", FixedOwner));
        Route("jwtopen", ("OwnerSources", "jwt"), ("FailMode", "open"));
        Route("ownerless");
        Route("ownerlessopen", ("FailMode", "open"));

        Gateway = await GatewayFixture.StartProcessAsync(environment);
        Client = new HttpClient { BaseAddress = Gateway.Address, Timeout = TimeSpan.FromMinutes(2) };
        Untrusted = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = Gateway.Address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        Untrusted.Dispose();
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        await Authority.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>An owner JWT as an identity provider would issue it; <paramref name="signingKey"/> overrides the configured key.</summary>
    public static string Jwt(string subject, DateTime? expires = null, string? signingKey = null)
    {
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey ?? SigningKeyText));
        var now = DateTime.UtcNow;
        var end = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            IssuedAt = end.AddMinutes(-20),
            NotBefore = end.AddMinutes(-20),
            Expires = end,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
