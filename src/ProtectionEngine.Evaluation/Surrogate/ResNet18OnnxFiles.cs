using System.Reflection;

namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>
/// Where the two ONNX files of NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 are: the network and the
/// preprocessing model that holds its mean image. They are read from the package folder, never copied into the
/// repository or the build output (63 MB).
/// </summary>
public sealed record ResNet18OnnxFiles(string Model, string Preprocess)
{
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>Overrides every other location of ResNet18.onnx, e.g. in a container without a NuGet cache.</summary>
    public const string ModelPathVariable = "UPLOADGUARD_RESNET18_ONNX";

    private const string ModelRelativePath = "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx";
    private const string PreprocessFolder = "ResNetPrepOnnx";
    private const string PreprocessFileName = "ResNetPreprocess.onnx";

    /// <summary>
    /// Finds the files. With <paramref name="modelPath"/> given, or else $UPLOADGUARD_RESNET18_ONNX set, only that file
    /// is tried (a wrong explicit path must fail, not fall back to another copy); otherwise the package folder restore
    /// used when this assembly was built, then the package in $NUGET_PACKAGES and in ~/.nuget/packages. The preprocessing model is looked for beside the network, as the package
    /// lays them out, unless <paramref name="preprocessPath"/> names it.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither file may be missing; the message lists every place tried.</exception>
    public static ResNet18OnnxFiles Locate(string? modelPath = null, string? preprocessPath = null)
    {
        List<string> candidates = (modelPath ?? Environment.GetEnvironmentVariable(ModelPathVariable)) is { Length: > 0 } named
            ? [named]
            : PackageCandidates();
        string? model = candidates.FirstOrDefault(File.Exists);
        if (model is null)
        {
            throw new FileNotFoundException(
                $"The pretrained surrogate ResNet18.onnx (NuGet package {PackageId} {PackageVersion}) was not found. Tried:"
                + string.Concat(candidates.Select(c => $"{Environment.NewLine}  {c}"))
                + $"{Environment.NewLine}Restore src/ProtectionEngine (dotnet restore) to download the package, or set {ModelPathVariable} to the file.",
                candidates.FirstOrDefault());
        }
        model = Path.GetFullPath(model);

        string preprocess = preprocessPath
            ?? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(model)!, "..", PreprocessFolder, PreprocessFileName));
        if (!File.Exists(preprocess))
        {
            throw new FileNotFoundException(
                $"The surrogate's preprocessing model (its mean image) was not found at '{preprocess}'. It ships beside ResNet18.onnx "
                + $"in {PackageId} as {PreprocessFolder}/{PreprocessFileName}.",
                preprocess);
        }
        return new ResNet18OnnxFiles(model, preprocess);
    }

    private static string PackageVersion => AssemblyMetadata("ResNet18PackageVersion") ?? "0.23.1";

    private static List<string> PackageCandidates()
    {
        var folders = new List<string>();
        if (AssemblyMetadata("ResNet18PackagePath") is { Length: > 0 } built)
            folders.Add(built);
        string packageFolder = Path.Combine(PackageId.ToLowerInvariant(), PackageVersion);
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages)
            folders.Add(Path.Combine(packages, packageFolder));
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0)
            folders.Add(Path.Combine(home, ".nuget", "packages", packageFolder));

        return folders.Select(f => Path.Combine(f, ModelRelativePath)).Distinct(StringComparer.Ordinal).ToList();
    }

    private static string? AssemblyMetadata(string key) =>
        typeof(ResNet18OnnxFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value;
}
