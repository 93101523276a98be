namespace UploadGuard.ProtectionEngine.Evaluation.Concepts;

/// <summary>The <c>concept-block</c> training set, each image's concept, and how well the concepts match the classes.</summary>
/// <param name="Purity">Fraction of images whose concept's most common class is their own (1: concepts are the classes).</param>
internal sealed record ConceptNoiseResult(LabeledImages Images, IReadOnlyList<int> Concepts, double Purity);
