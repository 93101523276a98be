namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>One victim trained on one row's training set, tested on everyone's clean test photos.</summary>
/// <param name="OwnersAccuracy">Accuracy on the owners' clean test photos (pooled): what protection must bring down.</param>
/// <param name="OthersAccuracy">Accuracy on everyone else's clean test photos: what must stay.</param>
/// <param name="PerOwner">Each owner's accuracy on their own clean test photos.</param>
public sealed record IdentityRun(
    string Row,
    string Architecture,
    double OwnersAccuracy,
    double OthersAccuracy,
    double AllAccuracy,
    IReadOnlyDictionary<string, double> PerOwner,
    double TrainAccuracy,
    TimeSpan Elapsed,
    string? Note);
