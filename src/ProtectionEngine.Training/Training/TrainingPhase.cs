namespace UploadGuard.ProtectionEngine.Training;

/// <summary>Where a training run is.</summary>
public enum TrainingPhase
{
    /// <summary>Reading and decoding photos; <see cref="TrainingProgress.Step"/> counts files read (total unknown).</summary>
    LoadingData,

    /// <summary>Training continues from a checkpoint; the progress step is the checkpoint's.</summary>
    Resumed,

    /// <summary>Optimising the generator; Step counts optimiser steps.</summary>
    Training,

    /// <summary>Writing a checkpoint.</summary>
    Checkpointing,

    /// <summary>Writing the new version into the model registry.</summary>
    Saving,

    Completed,
}
