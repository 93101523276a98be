using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.ProtectionEngine.Tests.Owners;

public sealed class OwnerKeyringTests
{
    private static readonly string SecretA = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly string SecretB = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray());

    [Fact]
    public void A_key_is_the_HMAC_of_the_owner_under_the_secret_and_names_only_the_secrets_id()
    {
        var keyring = new OwnerKeyring(SecretA);
        var alice = keyring.Derive("alice");

        Assert.Equal(alice.Bytes.ToArray(), keyring.Derive("alice").Bytes.ToArray());
        Assert.NotEqual(alice.Bytes.ToArray(), keyring.Derive("bob").Bytes.ToArray());
        Assert.NotEqual(alice.Bytes.ToArray(), new OwnerKeyring(SecretB).Derive("alice").Bytes.ToArray());
        var expected = System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(SecretA), "uploadguard/owner-key/v1\nalice"u8.ToArray());
        Assert.Equal(expected, alice.Bytes.ToArray());
        Assert.Matches("^k-[0-9a-f]{8}$", alice.KeyId);
        Assert.Equal(OwnerKeyring.KeyIdOf(SecretA), alice.KeyId);
        Assert.DoesNotContain(Convert.ToHexString(alice.Bytes), alice.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alice", alice.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rotation_keeps_previous_secrets_for_removal_and_uses_the_current_one_for_protection()
    {
        var keyring = new OwnerKeyring(SecretB, [SecretA, SecretB]);

        Assert.Equal(OwnerKeyring.KeyIdOf(SecretB), keyring.CurrentKeyId);
        Assert.Equal([OwnerKeyring.KeyIdOf(SecretB), OwnerKeyring.KeyIdOf(SecretA)], keyring.KeyIds);
        var all = keyring.DeriveAll("alice");
        Assert.Equal(2, all.Count);
        Assert.Equal(keyring.Derive("alice").Bytes.ToArray(), all[0].Bytes.ToArray());
        Assert.Equal(new OwnerKeyring(SecretA).Derive("alice").Bytes.ToArray(), all[1].Bytes.ToArray());
    }

    [Theory]
    [InlineData("short")]
    [InlineData("")]
    [InlineData("AAAA")]
    public void Short_secrets_are_refused(string secret) =>
        Assert.Throws<ArgumentException>(() => new OwnerKeyring(secret));

    [Fact]
    public void A_long_text_secret_is_taken_as_its_bytes()
    {
        var keyring = new OwnerKeyring("correct horse battery staple, and then some more words");
        Assert.Equal(32, keyring.Derive("alice").Bytes.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("line\nbreak")]
    public void Bad_owner_ids_are_refused(string owner) =>
        Assert.Throws<ArgumentException>(() => new OwnerKeyring(SecretA).Derive(owner));

    [Fact]
    public void The_secret_file_is_created_once_private_to_its_user_and_read_back_the_same()
    {
        var folder = Path.Combine(Path.GetTempPath(), "uploadguard-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "nested", "owner-secret");
        try
        {
            var (secret, created) = OwnerSecretFile.ReadOrCreate(path);
            var (again, createdAgain) = OwnerSecretFile.ReadOrCreate(path);

            Assert.True(created);
            Assert.False(createdAgain);
            Assert.Equal(secret, again);
            Assert.Equal(32, Convert.FromBase64String(secret).Length);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
