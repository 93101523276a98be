using System.Net;
using System.Net.Http.Headers;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.Gateway.Tests.Owners;

/// <summary>
/// Rotation with real gateway processes: a photo protected under the old secret is still removable after the new secret
/// takes over with the old one in <c>PreviousSecrets</c>, new uploads carry the new key id, and without the old secret
/// the photo's texture is not found.
/// </summary>
public sealed class OwnerKeyRotationTests : IAsyncLifetime
{
    private const string OldSecret = "rotation-test-old-secret-0123456789abcdef";
    private const string NewSecret = "rotation-test-new-secret-0123456789abcdef";
    private const string AdminToken = "rotation-admin-token-31c9";
    private readonly string _work = Directory.CreateTempSubdirectory("uploadguard-rotation-").FullName;
    private readonly RecordingUpstream _upstream = new();

    public Task InitializeAsync() => _upstream.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Previous_secrets_still_remove_what_they_protected_and_new_uploads_use_the_new_key_id()
    {
        var models = OwnerKeyedRegistry.Create(Path.Combine(_work, "models"));
        var photo = TestPhotos.SmoothPng(96, 64, seed: 61);

        byte[] protectedUnderOld;
        await using (var before = await StartAsync(models, OldSecret))
        using (var client = new HttpClient { BaseAddress = before.Address })
        {
            var (response, stored) = await PutAsync(client, photo);
            Assert.Equal(OwnerKeyring.KeyIdOf(OldSecret), response.Headers.GetValues(ProtectionHeaders.OwnerKeyId).Single());
            protectedUnderOld = stored;
        }

        await using (var rotated = await StartAsync(models, NewSecret, previous: OldSecret))
        using (var client = new HttpClient { BaseAddress = rotated.Address })
        {
            var (response, _) = await PutAsync(client, photo);
            Assert.Equal(OwnerKeyring.KeyIdOf(NewSecret), response.Headers.GetValues(ProtectionHeaders.OwnerKeyId).Single());

            var removed = await UnprotectAsync(client, protectedUnderOld);
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
            Assert.Equal(OwnerKeyring.KeyIdOf(OldSecret), removed.Headers.GetValues(ProtectionHeaders.OwnerKeyId).Single());
        }

        await using (var forgotten = await StartAsync(models, NewSecret))
        using (var client = new HttpClient { BaseAddress = forgotten.Address })
        {
            await Proxy.UploadProtectionTests.Problem(await UnprotectAsync(client, protectedUnderOld), HttpStatusCode.UnprocessableEntity, "owner_texture_not_found");
        }
    }

    [Fact]
    public async Task A_secret_shorter_than_32_bytes_stops_the_start_without_showing_it()
    {
        const string weak = "replace-me-7d1c";
        var models = OwnerKeyedRegistry.Create(Path.Combine(_work, "weak-models"));
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(models, weak));
        Assert.Contains("at least 32 bytes", refusal.Message);
        Assert.DoesNotContain(weak, refusal.Message);
    }

    [Fact]
    public async Task An_unreachable_authority_is_a_503_with_retry_after_not_a_bad_token()
    {
        var models = OwnerKeyedRegistry.Create(Path.Combine(_work, "authority-models"));
        var nobody = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        await using var gateway = await StartAsync(models, NewSecret, authority: nobody);
        using var client = new HttpClient { BaseAddress = gateway.Address };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/jwt/{Guid.NewGuid():N}/photo.png") { Content = TestPhotos.File(TestPhotos.SmoothPng(64, 48, seed: 3), "image/png") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OwnerKeyedGateway.Jwt("rosa-2b7f"));

        var response = await client.SendAsync(request);

        await Proxy.UploadProtectionTests.Problem(response, HttpStatusCode.ServiceUnavailable, "owner_issuer_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Empty(_upstream.Received("/jwt/"));
    }

    private async Task<ChildProcess> StartAsync(string models, string secret, string? previous = null, Uri? authority = null)
    {
        var environment = GatewayFixture.ProcessEnvironment(_upstream.Address);
        environment["Engine__ModelsPath"] = models;
        environment["DemoUpstream__Enabled"] = "false";
        environment["Admin__Tokens__0"] = AdminToken;
        environment["Protection__OwnerKeys__Secret"] = secret;
        if (previous is not null) environment["Protection__OwnerKeys__PreviousSecrets__0"] = previous;
        environment["ReverseProxy__Routes__fixed__ClusterId"] = "up";
        environment["ReverseProxy__Routes__fixed__Match__Path"] = "/fixed/{**rest}";
        environment["ReverseProxy__Routes__fixed__Metadata__UploadGuard.Protect"] = "true";
        environment["ReverseProxy__Routes__fixed__Metadata__UploadGuard.OwnerSources"] = "fixed";
        environment["ReverseProxy__Routes__fixed__Metadata__UploadGuard.FixedOwner"] = "rosa-2b7f";
        if (authority is not null)
        {
            environment["Protection__OwnerKeys__Jwt__Authority"] = authority.ToString();
            environment["Protection__OwnerKeys__Jwt__RequireHttpsMetadata"] = "false";
            environment["ReverseProxy__Routes__jwt__ClusterId"] = "up";
            environment["ReverseProxy__Routes__jwt__Match__Path"] = "/jwt/{**rest}";
            environment["ReverseProxy__Routes__jwt__Metadata__UploadGuard.Protect"] = "true";
            environment["ReverseProxy__Routes__jwt__Metadata__UploadGuard.OwnerSources"] = "jwt";
        }
        return await GatewayFixture.StartProcessAsync(environment);
    }

    private async Task<(HttpResponseMessage Response, byte[] Stored)> PutAsync(HttpClient client, byte[] photo)
    {
        var path = $"/fixed/{Guid.NewGuid():N}/photo.png";
        var response = await client.PutAsync(path, TestPhotos.File(photo, "image/png"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (response, Assert.Single(_upstream.Received(path)).Body);
    }

    private static async Task<HttpResponseMessage> UnprotectAsync(HttpClient client, byte[] photo)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/unprotect?owner=rosa-2b7f&format=png") { Content = TestPhotos.File(photo, "image/png") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return await client.SendAsync(request);
    }
}
