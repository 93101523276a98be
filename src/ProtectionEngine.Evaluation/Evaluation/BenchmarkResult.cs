namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>Everything one benchmark invocation measured, with the settings that produced it.</summary>
public sealed record BenchmarkResult
{
    public required string DataSource { get; init; }

    public required string TrainSubset { get; init; }

    public required string TestSubset { get; init; }

    public int? PerClass { get; init; }

    public required int Size { get; init; }

    public required int ProtectSize { get; init; }

    public required int Epsilon { get; init; }

    public required int Seed { get; init; }

    public required VictimRecipe Recipe { get; init; }

    public required int TrainImages { get; init; }

    public required int TestImages { get; init; }

    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>The model that protected the training images, or null when no row needed one.</summary>
    public string? ModelVersion { get; init; }

    public bool? ModelTrained { get; init; }

    public string? ModelWarning { get; init; }

    public int? ModelWorkingSize { get; init; }

    /// <summary>Protected against clean images at the protection size: what the uploader sees.</summary>
    public ImageQualitySummary? ProtectedQuality { get; init; }

    /// <summary>Each row's training set against the clean one, at the victim's size.</summary>
    public required IReadOnlyDictionary<string, ImageQualitySummary> TrainingSetQuality { get; init; }

    public required IReadOnlyList<BenchmarkRun> Runs { get; init; }

    public TimeSpan? ProtectionTime { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>Processor count, OS, torch threads and device, for reading the timings.</summary>
    public required string Machine { get; init; }
}
