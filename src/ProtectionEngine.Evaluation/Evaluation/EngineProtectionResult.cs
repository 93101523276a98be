namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>A training set after the real engine protected every image, and which model did it.</summary>
/// <param name="Warning">"untrained model: no protection claimed" for placeholder models, else null.</param>
internal sealed record EngineProtectionResult(LabeledImages Protected, string ModelVersion, bool ModelTrained, string? Warning, int WorkingSize, TimeSpan Elapsed);
