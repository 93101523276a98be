namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>One victim trained on one row's training set, tested on everyone's clean test photos.</summary>
/// <param name="VictimSeed">Seeds the victim's initialisation and batch order (the photos and crops follow the benchmark's seed).</param>
/// <param name="OwnersAccuracy">Accuracy on the owners' clean test photos (pooled): what protection must bring down.</param>
/// <param name="OthersAccuracy">Accuracy on everyone else's clean test photos: what must stay.</param>
/// <param name="OthersNamedAsOwner">
/// Share of everyone else's clean test photos that the victim named as one of the owners: whether what the other people
/// lose goes to the owners' classes.
/// </param>
/// <param name="PerOwner">Each owner's accuracy on their own clean test photos.</param>
/// <param name="PerPerson">
/// Everyone's accuracy on their own clean test photos, owners included: which of the other people a protected row costs,
/// read against the same people in the clean run (the others' pooled accuracy mixes people of very different sizes).
/// </param>
public sealed record IdentityRun(
    string Row,
    string Architecture,
    int VictimSeed,
    double OwnersAccuracy,
    double OthersAccuracy,
    double AllAccuracy,
    double OthersNamedAsOwner,
    IReadOnlyDictionary<string, double> PerOwner,
    IReadOnlyDictionary<string, double> PerPerson,
    double TrainAccuracy,
    TimeSpan Elapsed,
    string? Note);
