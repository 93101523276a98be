namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>Names of <see cref="IdentityRow"/>s on the command line and in tables.</summary>
public static class IdentityRows
{
    public static IReadOnlyList<IdentityRow> All { get; } = Enum.GetValues<IdentityRow>();

    public static string Name(IdentityRow row) => row switch
    {
        IdentityRow.Clean => "clean",
        IdentityRow.Protected => "protected",
        IdentityRow.Coverage75 => "coverage-75",
        IdentityRow.Coverage50 => "coverage-50",
        IdentityRow.Jpeg75 => "jpeg75",
        IdentityRow.Downscale => "downscale",
        IdentityRow.Grayscale => "gray",
        IdentityRow.Averaging => "averaging",
        IdentityRow.CleanAveraging => "clean-averaging",
        IdentityRow.Removed => "removed",
        _ => throw new ArgumentOutOfRangeException(nameof(row), row, null),
    };

    public static IdentityRow Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        foreach (var row in All)
        {
            if (Name(row) == key)
                return row;
        }
        throw new ArgumentException($"Unknown identity row '{name}'; use {string.Join(", ", All.Select(Name))}.", nameof(name));
    }

    /// <summary>The share of each owner's training photos that are protected in the row.</summary>
    public static double Coverage(IdentityRow row) => row switch
    {
        IdentityRow.Clean or IdentityRow.CleanAveraging => 0,
        IdentityRow.Coverage75 => 0.75,
        IdentityRow.Coverage50 => 0.5,
        _ => 1,
    };

    /// <summary>The countermeasure an attacker applies at the victim's size, if any.</summary>
    public static Countermeasure? CountermeasureOf(IdentityRow row) => row switch
    {
        IdentityRow.Jpeg75 => Countermeasure.Jpeg75,
        IdentityRow.Downscale => Countermeasure.Downscale,
        IdentityRow.Grayscale => Countermeasure.Grayscale,
        _ => null,
    };
}
