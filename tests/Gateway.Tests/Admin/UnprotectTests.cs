using System.Net;
using System.Net.Http.Headers;
using UploadGuard.Gateway.Protection;
using UploadGuard.Gateway.Tests.Owners;
using UploadGuard.Gateway.Tests.Proxy;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.Tests.Common;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>
/// <c>POST /admin/unprotect</c> on the real gateway process with an owner-keyed model: a photo protected through the
/// gateway comes back to within one level of the original for the right owner, and nothing comes back for another.
/// </summary>
[Collection(OwnerKeyedGateway.Collection)]
public sealed class UnprotectTests(OwnerKeyedGateway gateway)
{
    private const string Owner = OwnerKeyedGateway.FixedOwner;

    [Fact]
    public async Task A_photo_protected_through_the_gateway_is_restored_for_its_owner_and_refused_for_another()
    {
        var original = TestPhotos.SmoothPng(160, 120, seed: 52);
        var protectedPhoto = await ProtectThroughFixedRouteAsync(original);
        Assert.NotEqual(original, protectedPhoto);

        var wrong = await UnprotectAsync(protectedPhoto, "bruno-9d2a");
        var problem = await UploadProtectionTests.Problem(wrong, HttpStatusCode.UnprocessableEntity, "owner_texture_not_found");
        Assert.DoesNotContain("bruno-9d2a", problem.ToString());

        var response = await UnprotectAsync(protectedPhoto, Owner, "&epsilon=8&format=png");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ProtectionHeaders.Removed, string.Join(",", response.Headers.GetValues(ProtectionHeaders.Status)));
        var secret = File.ReadAllText(gateway.SecretPath).Trim();
        Assert.Equal(OwnerKeyring.KeyIdOf(secret), string.Join(",", response.Headers.GetValues(ProtectionHeaders.OwnerKeyId)));
        Assert.DoesNotContain(response.Headers, h => h.Value.Any(v => v.Contains(Owner, StringComparison.Ordinal) || v.Contains(secret, StringComparison.Ordinal)));

        var restored = await response.Content.ReadAsByteArrayAsync();
        using var a = TestPhotos.Decode(original);
        using var b = TestPhotos.Decode(restored);
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        double within = PixelDifference.ShareWithinOneLevel(a, b);
        Assert.True(within >= 0.99, $"{within:P2} of values within one level");
    }

    [Fact]
    public async Task The_admin_token_is_taken_from_a_header_only_never_the_cookie()
    {
        var protectedPhoto = await ProtectThroughFixedRouteAsync(TestPhotos.SmoothPng(64, 48, seed: 53));

        using var cookie = new HttpRequestMessage(HttpMethod.Post, $"/admin/unprotect?owner={Owner}") { Content = TestPhotos.File(protectedPhoto, "image/png") };
        cookie.Headers.Add("Cookie", "uploadguard_token=" + OwnerKeyedGateway.AdminToken);
        await UploadProtectionTests.Problem(await gateway.Client.SendAsync(cookie), HttpStatusCode.Unauthorized, "unauthenticated");

        using var header = new HttpRequestMessage(HttpMethod.Post, $"/admin/unprotect?owner={Owner}") { Content = TestPhotos.File(protectedPhoto, "image/png") };
        header.Headers.Add("X-UploadGuard-Token", OwnerKeyedGateway.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(header)).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_get_the_gateways_usual_refusals()
    {
        var garbage = "not really a png"u8.ToArray();
        await UploadProtectionTests.Problem(await UnprotectAsync(garbage, Owner), HttpStatusCode.UnprocessableEntity, "undecodable");
        var photo = TestPhotos.SmoothPng(32, 32);
        await UploadProtectionTests.Problem(await UnprotectAsync(photo, ""), HttpStatusCode.BadRequest, "invalid_owner");
        await UploadProtectionTests.Problem(await UnprotectAsync(photo, Owner, "&format=jpeg"), HttpStatusCode.BadRequest, "invalid_format");
        await UploadProtectionTests.Problem(await UnprotectAsync(photo, Owner, "&epsilon=99"), HttpStatusCode.BadRequest, "invalid_epsilon");
        // An unprotected photo carries no one's texture.
        await UploadProtectionTests.Problem(await UnprotectAsync(TestPhotos.SmoothPng(128, 96, seed: 54), Owner), HttpStatusCode.UnprocessableEntity, "owner_texture_not_found");
    }

    private async Task<byte[]> ProtectThroughFixedRouteAsync(byte[] photo)
    {
        var path = $"/fixed/{Guid.NewGuid():N}/photo.png";
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = TestPhotos.File(photo, "image/png") };
        var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return Assert.Single(gateway.Upstream.Received(path)).Body;
    }

    private async Task<HttpResponseMessage> UnprotectAsync(byte[] photo, string owner, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/unprotect?owner={Uri.EscapeDataString(owner)}{query}")
        {
            Content = TestPhotos.File(photo, "image/png"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OwnerKeyedGateway.AdminToken);
        return await gateway.Client.SendAsync(request);
    }
}
