using System.CommandLine;
using Spectre.Console;
using UploadGuard.ProtectionEngine.Owners;

namespace UploadGuard.Cli.Commands;

/// <summary>
/// <c>--owner</c> and where the owner-key secret comes from: the environment variable
/// <see cref="SecretVariable"/>, else <c>--owner-secret-file</c>, else a secret file in the user's configuration folder,
/// created on first use (and said so).
/// </summary>
internal sealed class OwnerKeyOptions
{
    public const string SecretVariable = "UPLOADGUARD_OWNER_SECRET";

    /// <summary>Older secrets (comma-separated), accepted by <c>unprotect</c> for photos protected before a rotation.</summary>
    public const string PreviousSecretsVariable = "UPLOADGUARD_OWNER_PREVIOUS_SECRETS";

    public Option<string?> Owner { get; } = new("--owner")
    {
        Description = "Whose photos these are: an owner-keyed model draws its texture from this owner's key (HMAC of the id under the secret).",
    };

    public Option<FileInfo?> SecretFile { get; } = new("--owner-secret-file")
    {
        Description = $"File holding the owner-key secret (default: ${SecretVariable}, else {DefaultSecretPath}, created on first use).",
    };

    public static string DefaultSecretPath => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "uploadguard", "owner-secret");

    public void AddTo(Command command)
    {
        command.Options.Add(Owner);
        command.Options.Add(SecretFile);
    }

    /// <summary>The keyring to derive owner keys with; tells the user when it created a secret.</summary>
    /// <exception cref="ArgumentException">A secret is too short or a file unreadable.</exception>
    public OwnerKeyring Keyring(ParseResult parsed)
    {
        var previous = (Environment.GetEnvironmentVariable(PreviousSecretsVariable) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } fromEnvironment)
            return new OwnerKeyring(fromEnvironment, previous);
        try
        {
            if (parsed.GetValue(SecretFile) is { } file)
                return file.Exists
                    ? new OwnerKeyring(OwnerSecretFile.Read(file.FullName), previous)
                    : throw new ArgumentException($"The owner-key secret file {file.FullName} does not exist.");
            var (secret, created) = OwnerSecretFile.ReadOrCreate(DefaultSecretPath);
            if (created)
                AnsiConsole.MarkupLineInterpolated($"Created a new owner-key secret in [bold]{DefaultSecretPath}[/] (keep it: without it no photo protected with it can be unprotected).");
            return new OwnerKeyring(secret, previous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Cannot read or create the owner-key secret: {ex.Message}", ex);
        }
    }
}
