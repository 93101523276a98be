using System.Text.Encodings.Web;
using System.Text.Json;
using UploadGuard.ProtectionEngine.Evaluation;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Cli.Commands;

/// <summary>
/// The retraining worker's standard output: one JSON object per line with an <c>event</c> field, and nothing else,
/// so whoever started the worker can read it line by line (docs/admin.md lists the events).
/// </summary>
internal sealed class RetrainEvents(TextWriter output)
{
    // Relaxed escaping: the lines are read by programs and people, never pasted into HTML, so quotes stay quotes.
    private static readonly JsonSerializerOptions Json = new(ModelCard.JsonOptions) { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock _lock = new();

    public void Started(RetrainSettings settings) => Write(new { @event = "started", settings });

    public void Progress(TrainingProgress p) => Write(new
    {
        @event = "progress",
        phase = p.Phase,
        step = p.Step,
        totalSteps = p.TotalSteps,
        lossTerms = p.LossTerms,
        imagesPerSecond = p.ImagesPerSecond,
        etaSeconds = p.Eta?.TotalSeconds,
    });

    public void Trained(string version) => Write(new { @event = "trained", version });

    public void Gate(GateDecision gate) => Write(new { @event = "gate", gate });

    public void Cancelled(long step) => Write(new { @event = "cancelled", step });

    public void Failed(string error) => Write(new { @event = "failed", error });

    private void Write<T>(T payload)
    {
        var line = JsonSerializer.Serialize(payload, Json);
        // Progress comes from the training thread, cancellation from others: lines must not interleave.
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
