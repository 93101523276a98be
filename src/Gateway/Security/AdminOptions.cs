namespace UploadGuard.Gateway.Security;

/// <summary>Who administers (configuration section "Admin"), e.g. <c>Admin__Tokens__0=...</c>; retraining's settings share the section (<c>Admin/RetrainingOptions</c>).</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>Bearer tokens that may use <c>/admin</c> and <c>/hubs/admin</c>; compared as SHA-256 digests in fixed time.</summary>
    public List<string> Tokens { get; set; } = [];
}
