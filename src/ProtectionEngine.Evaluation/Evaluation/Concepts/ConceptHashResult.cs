namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>The <c>concept-hash</c> training set, the length of each photo's code, and how well the codes tell the classes apart.</summary>
/// <param name="NeighbourAgreement">Share of images whose nearest other code is of their own class (<see cref="ConceptHashNoise.NeighbourAgreement"/>).</param>
internal sealed record ConceptHashResult(LabeledImages Images, int Bits, double NeighbourAgreement);
