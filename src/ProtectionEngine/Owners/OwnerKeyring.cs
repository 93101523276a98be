using System.Security.Cryptography;
using System.Text;

namespace UploadGuard.ProtectionEngine.Owners;

/// <summary>
/// Turns owner ids into <see cref="OwnerKey"/>s under server secrets. New protection uses the current secret; the
/// previous ones stay so that photos protected before a rotation can still be unprotected by their key holder. A key id
/// is a fingerprint of its secret, so configuration needs no names and reports reveal nothing.
/// </summary>
public sealed class OwnerKeyring
{
    /// <summary>Secrets shorter than this (in bytes) are refused: a guessable secret gives every owner's key away.</summary>
    public const int MinimumSecretBytes = 32;

    private const string Domain = "uploadguard/owner-key/v1\n";
    private readonly List<(string Id, byte[] Secret)> secrets;

    /// <param name="current">The secret new protection uses.</param>
    /// <param name="previous">Older secrets, accepted for removal only.</param>
    public OwnerKeyring(string current, IEnumerable<string>? previous = null)
    {
        var all = new List<(string, byte[])> { Parse(current) };
        foreach (var old in previous ?? [])
        {
            var parsed = Parse(old);
            if (all.All(s => s.Item1 != parsed.Item1))
                all.Add(parsed);
        }
        secrets = all;
    }

    /// <summary>The current secret's id.</summary>
    public string CurrentKeyId => secrets[0].Id;

    /// <summary>Every secret's id, current first.</summary>
    public IReadOnlyList<string> KeyIds => secrets.Select(s => s.Id).ToList();

    /// <summary>The owner's key under the current secret.</summary>
    public OwnerKey Derive(string ownerId) => Derive(ownerId, secrets[0]);

    /// <summary>The owner's key under every secret, current first: the candidates removal tries.</summary>
    public IReadOnlyList<OwnerKey> DeriveAll(string ownerId) => secrets.Select(s => Derive(ownerId, s)).ToList();

    /// <summary>A secret's public id: "k-" and 8 hex digits of a hash that cannot be turned back into the secret.</summary>
    public static string KeyIdOf(string secret) => Parse(secret).Id;

    /// <summary>A new random secret (32 bytes, base64).</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumSecretBytes));

    /// <summary>Owner ids are opaque strings: 1-256 characters, no control characters.</summary>
    public static void ValidateOwnerId(string ownerId)
    {
        if (string.IsNullOrEmpty(ownerId) || ownerId.Length > 256 || ownerId.Any(char.IsControl))
            throw new ArgumentException("An owner id must be 1-256 characters without control characters.", nameof(ownerId));
    }

    private static OwnerKey Derive(string ownerId, (string Id, byte[] Secret) secret)
    {
        ArgumentNullException.ThrowIfNull(ownerId);
        ValidateOwnerId(ownerId);
        var key = HMACSHA256.HashData(secret.Secret, Encoding.UTF8.GetBytes(Domain + ownerId));
        return new OwnerKey(secret.Id, key);
    }

    /// <summary>A secret is base64 of at least 32 bytes, or any other text of at least 32 bytes in UTF-8.</summary>
    private static (string Id, byte[] Secret) Parse(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var text = secret.Trim();
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            bytes = Encoding.UTF8.GetBytes(text);
        }
        if (bytes.Length < MinimumSecretBytes)
            throw new ArgumentException($"An owner-key secret must hold at least {MinimumSecretBytes} bytes (base64 of 32 random bytes: 44 characters).", nameof(secret));
        var id = "k-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("uploadguard/key-id/v1\n").Concat(bytes).ToArray()))[..8];
        return (id, bytes);
    }
}
