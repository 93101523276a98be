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
        IdentityRow.CleanJpeg75 => "clean-jpeg75",
        IdentityRow.CleanDownscale => "clean-downscale",
        IdentityRow.CleanGrayscale => "clean-gray",
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
        IdentityRow.Clean or IdentityRow.CleanAveraging or IdentityRow.CleanJpeg75 or IdentityRow.CleanDownscale or IdentityRow.CleanGrayscale => 0,
        IdentityRow.Coverage75 => 0.75,
        IdentityRow.Coverage50 => 0.5,
        _ => 1,
    };

    /// <summary>Whether the row protects nothing (a reference): it needs no model.</summary>
    public static bool IsClean(IdentityRow row) => Coverage(row) == 0;

    /// <summary>The countermeasure an attacker applies at the victim's size, if any.</summary>
    public static Countermeasure? CountermeasureOf(IdentityRow row) => row switch
    {
        IdentityRow.Jpeg75 or IdentityRow.CleanJpeg75 => Countermeasure.Jpeg75,
        IdentityRow.Downscale or IdentityRow.CleanDownscale => Countermeasure.Downscale,
        IdentityRow.Grayscale or IdentityRow.CleanGrayscale => Countermeasure.Grayscale,
        _ => null,
    };
}
