namespace UploadGuard.ProtectionEngine.Training;

/// <summary>What the generator is trained to do to a photo's surrogate features, relative to its k-means concept.</summary>
public enum GeneratorLossKind
{
    /// <summary>
    /// Error-minimising shortcut: the perturbed photo's features become trivially predictive of its own concept
    /// (cross-entropy of cosine-similarity logits to the centroids, own cluster as target), so a victim can fit the
    /// perturbation instead of the content.
    /// </summary>
    Shortcut,

    /// <summary>
    /// Feature-space misdirection: the features are pushed toward another concept's centroid (a fixed derangement of the
    /// clusters) and away from their own.
    /// </summary>
    Misdirection,

    /// <summary>
    /// Error-minimising against a from-scratch stand-in victim (<see cref="ProxyClassifier"/>) trained alongside the
    /// generator on the concepts as pseudo-labels (min-min): the perturbation becomes whatever a small network fits
    /// fastest. The surrogate only supplies the concepts.
    /// </summary>
    MinMin,
}
