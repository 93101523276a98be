namespace UploadGuard.ProtectionEngine.Training;

/// <summary>The loss names the CLI (<c>--loss</c>) and the admin API (<c>loss</c>) take, one list for both.</summary>
public static class GeneratorLossNames
{
    public const string Shortcut = "shortcut";
    public const string Misdirection = "misdirection";
    public const string MinMin = "min-min";

    public static IReadOnlyList<string> All { get; } = [Shortcut, Misdirection, MinMin];

    /// <exception cref="ArgumentException">Not one of <see cref="All"/>.</exception>
    public static GeneratorLossKind Parse(string name) => name switch
    {
        Shortcut => GeneratorLossKind.Shortcut,
        Misdirection => GeneratorLossKind.Misdirection,
        MinMin => GeneratorLossKind.MinMin,
        _ => throw new ArgumentException($"The loss must be one of {string.Join(", ", All)}.", nameof(name)),
    };

    public static string NameOf(GeneratorLossKind kind) => kind switch
    {
        GeneratorLossKind.Shortcut => Shortcut,
        GeneratorLossKind.Misdirection => Misdirection,
        GeneratorLossKind.MinMin => MinMin,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
