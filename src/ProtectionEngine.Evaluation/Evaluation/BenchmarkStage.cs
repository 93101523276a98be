namespace UploadGuard.ProtectionEngine.Evaluation;

public enum BenchmarkStage
{
    Loading,
    Protecting,
    Preparing,
    Training,
    RunFinished,
}
