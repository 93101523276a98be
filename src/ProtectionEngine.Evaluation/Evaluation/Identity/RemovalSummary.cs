namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>How removal by the key holder went on the owners' protected photos.</summary>
/// <param name="Photos">Protected photos the key holder tried to unprotect.</param>
/// <param name="Found">Photos in which the owner's texture was found (and removed).</param>
/// <param name="WithinOneLevel">Share of 8-bit values of the removed copies within one level of the clean photo.</param>
/// <param name="WrongKeyFound">Photos in which another owner's key found a texture (it must not).</param>
public sealed record RemovalSummary(int Photos, int Found, double WithinOneLevel, int WrongKeyFound);
