namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>Whether a candidate may replace the active model, and why.</summary>
public sealed record GateDecision(bool Passed, GateMeasurement Candidate, GateMeasurement? Active, IReadOnlyList<string> Reasons);
