namespace UploadGuard.ProtectionEngine.Owners;

/// <summary>
/// One owner's protection key: HMAC-SHA256 of the owner id under one secret of an <see cref="OwnerKeyring"/>. The bytes
/// choose the owner's texture, so they are as sensitive as the secret for that owner: only <see cref="KeyId"/>, the
/// secret's public fingerprint, is ever shown, logged or sent in a header.
/// </summary>
public sealed class OwnerKey
{
    private readonly byte[] bytes;

    internal OwnerKey(string keyId, byte[] bytes)
    {
        KeyId = keyId;
        this.bytes = bytes;
    }

    /// <summary>Which secret made the key (<see cref="OwnerKeyring.KeyIdOf"/>), never the key or the owner id.</summary>
    public string KeyId { get; }

    public ReadOnlySpan<byte> Bytes => bytes;

    /// <summary>For tests and benchmarks that make keys without a keyring.</summary>
    public static OwnerKey FromBytes(string keyId, ReadOnlySpan<byte> key) => new(keyId, key.ToArray());

    public override string ToString() => $"owner key ({KeyId})";
}
