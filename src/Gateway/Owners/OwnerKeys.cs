using Microsoft.Extensions.Options;
using UploadGuard.Gateway.Storage;
using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.Gateway.Owners;

/// <summary>
/// The gateway's owner keyring, made once at start-up from <see cref="OwnerKeysOptions"/>: the configured secret, else
/// the secret file, else <c>owner-secret</c> in the data folder (created on first start, readable by its owner only).
/// Logs where the secret came from and its key id, never the secret.
/// </summary>
public sealed partial class OwnerKeys
{
    public const string SecretFileName = "owner-secret";

    public OwnerKeys(IOptions<OwnerKeysOptions> options, IOptions<GatewayDataOptions> data, IConfiguration configuration, ILogger<OwnerKeys> logger)
    {
        var settings = options.Value;
        var previous = settings.PreviousSecrets.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (!string.IsNullOrWhiteSpace(settings.Secret))
        {
            Keyring = new OwnerKeyring(settings.Secret, previous);
            LogLoaded(logger, Keyring.CurrentKeyId, "configuration (Protection:OwnerKeys:Secret)", Keyring.KeyIds.Count - 1);
            return;
        }
        if (!string.IsNullOrWhiteSpace(settings.SecretFile))
        {
            // A configured file must already exist: creating one here would silently give every instance its own secret.
            if (!File.Exists(settings.SecretFile))
                throw new InvalidOperationException($"Protection:OwnerKeys:SecretFile {settings.SecretFile} does not exist.");
            Keyring = new OwnerKeyring(OwnerSecretFile.Read(settings.SecretFile), previous);
            LogLoaded(logger, Keyring.CurrentKeyId, settings.SecretFile, Keyring.KeyIds.Count - 1);
            return;
        }

        var path = Path.Combine(data.Value.ResolvedPath, SecretFileName);
        var (secret, created) = OwnerSecretFile.ReadOrCreate(path);
        Keyring = new OwnerKeyring(secret, previous);
        if (created)
            LogCreated(logger, path, Keyring.CurrentKeyId);
        else
            LogLoaded(logger, Keyring.CurrentKeyId, path, Keyring.KeyIds.Count - 1);
        // Instances sharing a Redis backplane serve the same users: each with a secret of its own, a photo protected by one
        // could not be unprotected through another.
        if (!string.IsNullOrEmpty(configuration["SignalR:Redis"]))
            LogPerInstanceSecret(logger, path);
    }

    public OwnerKeyring Keyring { get; }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created a new owner-key secret in {Path} (key id {KeyId}). Keep it: photos protected with owner keys can only be unprotected with it.")]
    private static partial void LogCreated(ILogger logger, string path, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Owner keys: current key id {KeyId} from {Source}; {Previous} previous secret(s) accepted for removal")]
    private static partial void LogLoaded(ILogger logger, string keyId, string source, int previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SignalR:Redis is set (several instances) but the owner-key secret is this instance's own file {Path}; set Protection:OwnerKeys:Secret to the same secret on every instance.")]
    private static partial void LogPerInstanceSecret(ILogger logger, string path);
}
