namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// The JSON beside a checkpoint's tensors. Written after them, so its presence marks a complete checkpoint.
/// </summary>
/// <param name="Step">Optimiser steps done when the checkpoint was taken.</param>
/// <param name="Fingerprint">The run (data and settings) it belongs to; a resume with another fingerprint is refused.</param>
/// <param name="WeightsFile">The safetensors file beside it (generator weights and Adam moments).</param>
/// <param name="AdamStep">Adam's own step counter (bias correction); equal to Step unless a step was skipped.</param>
/// <param name="Created">When it was written.</param>
/// <param name="LossTerms">The last step's loss terms.</param>
public sealed record CheckpointManifest(
    long Step,
    string Fingerprint,
    string WeightsFile,
    long AdamStep,
    DateTimeOffset Created,
    IReadOnlyDictionary<string, double> LossTerms);
