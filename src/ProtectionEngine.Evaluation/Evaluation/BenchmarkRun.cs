namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>One victim trained on one row's training set.</summary>
/// <param name="Row">Row name (<see cref="BenchmarkRow.Name"/>).</param>
/// <param name="Architecture">Architecture name (<see cref="Victims.VictimArchitectures.Name"/>).</param>
/// <param name="Note">"untrained model: no protection claimed" on rows protected by a placeholder model.</param>
public sealed record BenchmarkRun(string Row, string Architecture, VictimRunResult Result, string? Note);
