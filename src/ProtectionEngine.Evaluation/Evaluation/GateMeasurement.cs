namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>One model's figures on the gate's photos.</summary>
/// <param name="FeatureDisplacement">Mean 1 - cos(f(x), f(x + delta)) of surrogate features: how far protection moves what a network sees.</param>
/// <param name="MeanPsnr">Mean PSNR (dB) of the protected photos.</param>
/// <param name="Claimed">Whether the model's card states a measured protection claim.</param>
public sealed record GateMeasurement(string Version, bool Trained, double FeatureDisplacement, double MeanPsnr, bool Claimed = false);
