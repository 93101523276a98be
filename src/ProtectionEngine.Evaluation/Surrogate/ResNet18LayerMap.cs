namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>
/// The initializer-to-parameter map of the CNTK ResNet-18, kept as the TSV it was written down in (an embedded
/// resource) so that the mapping is reviewable as data, and checked here so that a damaged resource fails loudly.
/// </summary>
internal static class ResNet18LayerMap
{
    private const string ResourceName = "UploadGuard.ProtectionEngine.Surrogate.resnet18-onnx-layer-map.tsv";
    private const string Header = "onnx_initializer\trole\tshape\tstride\tpads[hb,wb,he,we]";

    private static readonly Lazy<IReadOnlyList<LayerMapEntry>> Cached = new(Load);

    public static IReadOnlyList<LayerMapEntry> Entries => Cached.Value;

    /// <summary>Parses the map. Roles such as "stem.bn.weight(gamma)" name a state-dict entry; the parenthesis is a note.</summary>
    public static IReadOnlyList<LayerMapEntry> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.ReadLine() != Header)
            throw new InvalidDataException($"The layer map does not start with the header '{Header}'.");
        var entries = new List<LayerMapEntry>();
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var cells = line.Split('\t');
            if (cells.Length != 5)
                throw new InvalidDataException($"Layer map line {lineNumber} has {cells.Length} columns, not 5.");
            string role = cells[1];
            int note = role.IndexOf('(', StringComparison.Ordinal);
            string stateName = note >= 0 ? role[..note] : role;
            entries.Add(new LayerMapEntry(cells[0], stateName, ParseList(cells[2], lineNumber)!, ParseList(cells[3], lineNumber), ParseList(cells[4], lineNumber)));
        }
        if (entries.Select(e => e.OnnxName).Distinct(StringComparer.Ordinal).Count() != entries.Count
            || entries.Select(e => e.StateName).Distinct(StringComparer.Ordinal).Count() != entries.Count)
            throw new InvalidDataException("The layer map names an initializer or a parameter twice.");
        return entries;
    }

    private static IReadOnlyList<LayerMapEntry> Load()
    {
        using var stream = typeof(ResNet18LayerMap).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }

    private static long[]? ParseList(string cell, int lineNumber)
    {
        if (cell.Length == 0) return null;
        if (cell[0] != '[' || cell[^1] != ']')
            throw new InvalidDataException($"Layer map line {lineNumber}: '{cell}' is not a bracketed list.");
        try
        {
            return cell[1..^1].Split(',').Select(v => long.Parse(v.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"Layer map line {lineNumber}: '{cell}' is not a list of integers.", ex);
        }
    }
}
