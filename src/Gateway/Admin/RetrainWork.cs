using System.Diagnostics.CodeAnalysis;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Admin;

/// <summary>
/// The work file the gateway writes into a job's folder for the worker (<c>uploadguard retrain --work</c>, which reads
/// it as src/Cli/Commands/RetrainWork.cs): the request's hyper-parameters, null where the admin left one out (the
/// worker applies the trainer's default), and the gateway's paths, device and gate settings.
/// </summary>
public sealed record RetrainWork : TrainingHyperParameters
{
    /// <summary>The request's hyper-parameters, as the admin gave them.</summary>
    [SetsRequiredMembers]
    public RetrainWork(TrainingHyperParameters request, string dataSource, string modelsPath, string checkpointDirectory, int checkpointInterval,
        string device, int gateSampleSize, double gateMinimumPsnr) : base(request)
    {
        DataSource = dataSource;
        ModelsPath = modelsPath;
        CheckpointDirectory = checkpointDirectory;
        CheckpointInterval = checkpointInterval;
        Device = device;
        GateSampleSize = gateSampleSize;
        GateMinimumPsnr = gateMinimumPsnr;
    }

    public required string DataSource { get; init; }

    public required string ModelsPath { get; init; }

    public required string CheckpointDirectory { get; init; }

    public required int CheckpointInterval { get; init; }

    public required string Device { get; init; }

    public required int GateSampleSize { get; init; }

    public required double GateMinimumPsnr { get; init; }
}
