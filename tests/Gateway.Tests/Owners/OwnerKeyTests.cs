using System.Net;
using System.Net.Http.Headers;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.Gateway.Tests.Owners;

/// <summary>
/// Owner keys through the real gateway process: every owner source, the refusals, the key id header, the secret the
/// gateway creates for itself, and that neither the secret nor an owner id shows in a header or a log line. Which owner
/// protected an upload is told by its bytes: protection is deterministic for one photo and one owner's key, so the
/// same photo uploaded for the same owner through two sources reaches the upstream identical.
/// </summary>
[Collection(OwnerKeyedGateway.Collection)]
public sealed class OwnerKeyTests(OwnerKeyedGateway gateway)
{
    private const string Owner = OwnerKeyedGateway.FixedOwner;
    private const string OtherOwner = "bruno-9d2a";
    private static readonly byte[] Photo = TestPhotos.SmoothPng(96, 72, seed: 41);

    private string Secret => File.ReadAllText(gateway.SecretPath).Trim();

    [Fact]
    public async Task First_start_creates_the_secret_file_owner_only_and_logs_its_path_never_the_secret()
    {
        Assert.True(File.Exists(gateway.SecretPath));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(gateway.SecretPath));
        Assert.Contains(gateway.SecretPath, gateway.Gateway.Output);
        Assert.Contains(OwnerKeyring.KeyIdOf(Secret), gateway.Gateway.Output);

        var (response, _) = await PutAsync(gateway.Client, "/fixed", Photo);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        AssertNothingLeaks(response);
    }

    [Fact]
    public async Task Fixed_owner_protects_with_its_key_and_names_the_key_id_only()
    {
        var (response, stored) = await PutAsync(gateway.Client, "/fixed", Photo);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("perturbed", Header(response, ProtectionHeaders.Status));
        Assert.Equal(OwnerKeyring.KeyIdOf(Secret), Header(response, ProtectionHeaders.OwnerKeyId));
        Assert.NotEqual(Photo, stored);
        AssertNothingLeaks(response);
    }

    [Fact]
    public async Task A_valid_jwt_protects_with_its_subjects_key_and_another_subject_differs()
    {
        var (fixedResponse, asFixed) = await PutAsync(gateway.Client, "/fixed", Photo);
        var (response, asJwt) = await PutAsync(gateway.Client, "/jwt", Photo, r => r.Headers.Authorization = Bearer(OwnerKeyedGateway.Jwt(Owner)));
        var (otherResponse, asOther) = await PutAsync(gateway.Client, "/jwt", Photo, r => r.Headers.Authorization = Bearer(OwnerKeyedGateway.Jwt(OtherOwner)));

        Assert.Equal(HttpStatusCode.Created, fixedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(HttpStatusCode.Created, otherResponse.StatusCode);
        Assert.Equal(asFixed, asJwt);
        Assert.NotEqual(asFixed, asOther);
        Assert.Equal(OwnerKeyring.KeyIdOf(Secret), Header(response, ProtectionHeaders.OwnerKeyId));
        AssertNothingLeaks(response);
    }

    [Fact]
    public async Task A_token_of_the_configured_authority_is_checked_against_the_keys_it_publishes()
    {
        var (_, asFixed) = await PutAsync(gateway.Client, "/fixed", Photo);
        var (response, asAuthority) = await PutAsync(gateway.Client, "/jwt", Photo,
            r => r.Headers.Authorization = Bearer(gateway.Authority.Token(Owner, OwnerKeyedGateway.Audience)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(asFixed, asAuthority);
        Assert.True(gateway.Authority.DiscoveryRequests > 0);
        AssertNothingLeaks(response);
        // Same key id, same issuer, but a key the authority never published.
        await RefusedAsync(gateway.Client, "/jwt", HttpStatusCode.Unauthorized, "owner_token_invalid",
            r => r.Headers.Authorization = Bearer(gateway.Authority.Token(Owner, OwnerKeyedGateway.Audience, withUnpublishedKey: true)));
        await RefusedAsync(gateway.Client, "/jwt", HttpStatusCode.Unauthorized, "owner_token_invalid",
            r => r.Headers.Authorization = Bearer(gateway.Authority.Token(Owner, "another-audience")));
    }

    [Fact]
    public async Task An_expired_jwt_or_a_bad_signature_is_refused_and_nothing_is_forwarded()
    {
        var expired = OwnerKeyedGateway.Jwt(Owner, expires: DateTime.UtcNow.AddHours(-1));
        var forged = OwnerKeyedGateway.Jwt(Owner, signingKey: "not-the-gateways-signing-key-0123456789abcdef");

        await RefusedAsync(gateway.Client, "/jwt", HttpStatusCode.Unauthorized, "owner_token_expired", r => r.Headers.Authorization = Bearer(expired));
        await RefusedAsync(gateway.Client, "/jwt", HttpStatusCode.Unauthorized, "owner_token_invalid", r => r.Headers.Authorization = Bearer(forged));
        await RefusedAsync(gateway.Client, "/jwt", HttpStatusCode.Unauthorized, "owner_token_invalid", r => r.Headers.Authorization = Bearer("not.a.jwt"));
        // Fail open is about protection failing, not about a request with a bad credential.
        await RefusedAsync(gateway.Client, "/jwtopen", HttpStatusCode.Unauthorized, "owner_token_expired", r => r.Headers.Authorization = Bearer(expired));
    }

    [Fact]
    public async Task The_owner_header_from_a_trusted_address_names_the_owner_and_is_not_forwarded()
    {
        var (_, asFixed) = await PutAsync(gateway.Client, "/fixed", Photo);
        var (response, asHeader, received) = await PutAndReceiveAsync(gateway.Client, "/header", Photo, r => r.Headers.Add("X-UploadGuard-Owner", Owner));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(asFixed, asHeader);
        Assert.DoesNotContain(received.Headers, h => h.Key.Equals("X-UploadGuard-Owner", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(received.Headers, h => h.Value.Contains(Owner, StringComparison.Ordinal));
        AssertNothingLeaks(response);
    }

    [Fact]
    public async Task The_owner_header_from_an_untrusted_address_is_refused_and_nothing_is_forwarded()
    {
        await RefusedAsync(gateway.Untrusted, "/header", HttpStatusCode.Forbidden, "untrusted_owner_header", r => r.Headers.Add("X-UploadGuard-Owner", Owner));
        // The route's fallback does not rescue it: a header that may not be believed refuses the request.
        await RefusedAsync(gateway.Untrusted, "/fallback", HttpStatusCode.Forbidden, "untrusted_owner_header", r => r.Headers.Add("X-UploadGuard-Owner", OtherOwner));
    }

    [Fact]
    public async Task Without_the_header_the_fallback_route_uses_its_fixed_owner()
    {
        var (_, asFixed) = await PutAsync(gateway.Client, "/fixed", Photo);
        var (response, asFallback) = await PutAsync(gateway.Untrusted, "/fallback", Photo);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(asFixed, asFallback);
    }

    [Fact]
    public async Task The_client_user_is_the_owner_on_routes_and_on_api_protect()
    {
        var (_, asHeader) = await PutAsync(gateway.Client, "/header", Photo, r => r.Headers.Add("X-UploadGuard-Owner", "alice"));
        var (response, asClient) = await PutAsync(gateway.Client, "/client", Photo, r => r.Headers.Add("X-UploadGuard-Token", GatewayFixture.AliceToken));

        using var api = new HttpRequestMessage(HttpMethod.Post, "/api/protect") { Content = TestPhotos.File(Photo, "image/png") };
        api.Headers.Authorization = Bearer(GatewayFixture.AliceToken);
        var apiResponse = await gateway.Client.SendAsync(api);
        var fromApi = await apiResponse.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(asHeader, asClient);
        Assert.Equal(HttpStatusCode.OK, apiResponse.StatusCode);
        Assert.Equal(asClient, fromApi);
        Assert.Equal(OwnerKeyring.KeyIdOf(Secret), Header(apiResponse, ProtectionHeaders.OwnerKeyId));
        AssertNothingLeaks(apiResponse);
    }

    [Fact]
    public async Task A_route_that_needs_an_owner_and_gets_none_answers_401_and_forwards_nothing()
    {
        foreach (var route in new[] { "/jwt", "/header", "/client" })
            await RefusedAsync(gateway.Client, route, HttpStatusCode.Unauthorized, "owner_required");
        // A wrong client token names no one either.
        await RefusedAsync(gateway.Client, "/client", HttpStatusCode.Unauthorized, "owner_required", r => r.Headers.Add("X-UploadGuard-Token", "wrong-token"));
    }

    [Fact]
    public async Task An_owner_keyed_model_on_a_route_without_owner_sources_is_a_401_never_a_500()
    {
        // /ownerless sets no UploadGuard.OwnerSources: the engine itself finds no owner (OwnerKeyRequiredException).
        await RefusedAsync(gateway.Client, "/ownerless", HttpStatusCode.Unauthorized, "owner_required");
        // ...which the operator was told at start, route by route.
        Assert.Contains("Route ownerless protects uploads but names no owner source", gateway.Gateway.Output);

        // Fail open forwards it, marked: the route chose that.
        var path = $"/ownerlessopen/{Guid.NewGuid():N}/p.png";
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = TestPhotos.File(Photo, "image/png") };
        var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("unperturbed", Header(response, ProtectionHeaders.Status));
        Assert.Contains("owner_required", Header(response, ProtectionHeaders.Unperturbed));
    }

    [Fact]
    public async Task Readme_curl_demo_upload_with_the_owner_header_and_without_it()
    {
        var photo = Path.Combine(gateway.DemoStore, "..", "cat.png");
        await File.WriteAllBytesAsync(photo, Photo);

        var withOwner = await Curl.RunAsync("-H", $"X-UploadGuard-Owner: {Owner}", "-F", $"photo=@{photo}", "-D", "-", new Uri(gateway.Gateway.Address, "/demo/upload").ToString());
        Assert.True(withOwner.ExitCode == 0, withOwner.Output);
        Assert.Contains($"{ProtectionHeaders.OwnerKeyId}: {OwnerKeyring.KeyIdOf(Secret)}", withOwner.Output);
        var stored = await File.ReadAllBytesAsync(Path.Combine(gateway.DemoStore, "cat.png"));
        var (_, asFixed) = await PutAsync(gateway.Client, "/fixed", Photo);
        Assert.Equal(asFixed, stored);

        var withoutOwner = await Curl.RunAsync("-F", $"photo=@{photo}", "-D", "-", new Uri(gateway.Gateway.Address, "/demo/upload").ToString());
        Assert.True(withoutOwner.ExitCode == 0, withoutOwner.Output);
        Assert.Contains("X-UploadGuard-Status: perturbed", withoutOwner.Output);
        Assert.NotEqual(asFixed, await File.ReadAllBytesAsync(Path.Combine(gateway.DemoStore, "cat.png")));
    }

    [Fact]
    public async Task No_secret_or_owner_id_in_any_log_line()
    {
        await A_valid_jwt_protects_with_its_subjects_key_and_another_subject_differs();
        await The_owner_header_from_a_trusted_address_names_the_owner_and_is_not_forwarded();
        await An_expired_jwt_or_a_bad_signature_is_refused_and_nothing_is_forwarded();

        var log = gateway.Gateway.Output;
        Assert.Contains("refused", log);   // the capture works: refusals are logged at Information
        Assert.DoesNotContain(Secret, log);
        Assert.DoesNotContain(Owner, log);
        Assert.DoesNotContain(OtherOwner, log);
    }

    private void AssertNothingLeaks(HttpResponseMessage response)
    {
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            foreach (var value in values)
            {
                Assert.DoesNotContain(Secret, value);
                Assert.DoesNotContain(Owner, value);
                Assert.DoesNotContain(OtherOwner, value);
                Assert.False(name.Contains("Secret", StringComparison.OrdinalIgnoreCase), name);
            }
        }
    }

    private async Task<(HttpResponseMessage Response, byte[] Stored)> PutAsync(HttpClient client, string route, byte[] photo, Action<HttpRequestMessage>? configure = null)
    {
        var (response, stored, _) = await PutAndReceiveAsync(client, route, photo, configure);
        return (response, stored);
    }

    /// <summary>PUTs the photo as a raw PNG body, so that what the upstream stores is the protected image itself.</summary>
    private async Task<(HttpResponseMessage Response, byte[] Stored, RecordingUpstream.Request Received)> PutAndReceiveAsync(
        HttpClient client, string route, byte[] photo, Action<HttpRequestMessage>? configure)
    {
        var path = $"{route}/{Guid.NewGuid():N}/photo.png";
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = TestPhotos.File(photo, "image/png") };
        configure?.Invoke(request);
        var response = await client.SendAsync(request);
        var text = response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode} {text}");
        var received = Assert.Single(gateway.Upstream.Received(path));
        return (response, received.Body, received);
    }

    private async Task RefusedAsync(HttpClient client, string route, HttpStatusCode status, string reason, Action<HttpRequestMessage>? configure = null)
    {
        var path = $"{route}/{Guid.NewGuid():N}/photo.png";
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = TestPhotos.File(Photo, "image/png") };
        configure?.Invoke(request);
        var response = await client.SendAsync(request);
        await UploadProtectionTests.Problem(response, status, reason);
        Assert.Empty(gateway.Upstream.Received(path));
        AssertNothingLeaks(response);
    }

    private static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
