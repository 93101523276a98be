using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Cli.Commands;

/// <summary>Which files to protect and where each result goes.</summary>
internal sealed record ProtectPlan(IReadOnlyList<(FileInfo Input, FileInfo Output)> Items)
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".webp" };

    /// <summary>
    /// A file goes to <paramref name="output"/> (or inside it, when that is an existing folder); a folder's images
    /// (by extension, top level) go into the <paramref name="output"/> folder under the same names. A changed format
    /// changes the extension. Throws when an output would replace an input, unless <paramref name="overwrite"/>.
    /// </summary>
    public static ProtectPlan Create(string input, string output, OutputFormat format, bool overwrite)
    {
        List<(FileInfo, FileInfo)> items;
        if (Directory.Exists(input))
        {
            items = new DirectoryInfo(input).EnumerateFiles()
                .Where(f => ImageExtensions.Contains(f.Extension))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => (f, new FileInfo(Path.Combine(output, OutputName(f.Name, format)))))
                .ToList();
        }
        else if (File.Exists(input))
        {
            var file = new FileInfo(input);
            bool intoFolder = Directory.Exists(output) || output.EndsWith(Path.DirectorySeparatorChar) || output.EndsWith(Path.AltDirectorySeparatorChar);
            items = [(file, new FileInfo(intoFolder ? Path.Combine(output, OutputName(file.Name, format)) : output))];
        }
        else
        {
            throw new FileNotFoundException($"No such file or folder: {input}");
        }

        if (!overwrite)
        {
            var clash = items.FirstOrDefault(i => string.Equals(i.Item1.FullName, i.Item2.FullName, StringComparison.Ordinal));
            if (clash.Item1 is not null)
                throw new InvalidOperationException(
                    $"Refusing to overwrite the original {clash.Item1.FullName}; choose another output or pass --overwrite.");
        }
        return new ProtectPlan(items);
    }

    private static string OutputName(string name, OutputFormat format) => format switch
    {
        OutputFormat.Png => Path.ChangeExtension(name, ".png"),
        OutputFormat.Jpeg => Path.ChangeExtension(name, ".jpg"),
        OutputFormat.Webp => Path.ChangeExtension(name, ".webp"),
        _ => name,
    };
}
