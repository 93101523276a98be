namespace UploadGuard.Gateway.Owners;

/// <summary>
/// The owner sources of <c>/api/protect</c> (section <c>Protection:OwnerKeys:Api</c>), the same settings a YARP route
/// gives in its <c>UploadGuard.Owner*</c> metadata.
/// </summary>
public sealed class OwnerSourceOptions
{
    /// <summary>Comma list of <c>client</c>, <c>jwt</c>, <c>header</c>, <c>fixed</c>, tried in order.</summary>
    public string Sources { get; set; } = "client";

    public string? Claim { get; set; }

    public string? Header { get; set; }

    public string? FixedOwner { get; set; }
}
