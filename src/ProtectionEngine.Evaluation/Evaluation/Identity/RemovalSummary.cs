namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>How removal by the key holder went on the owners' protected photos.</summary>
/// <param name="Photos">Protected photos the key holder tried to unprotect.</param>
/// <param name="Found">Photos in which the owner's texture was found (and removed).</param>
/// <param name="WithinOneLevel">Share of 8-bit values of the removed copies within one level of the clean photo.</param>
/// <param name="WrongKeyFound">Photos in which another owner's key found a texture (it must not).</param>
/// <param name="AppliedLeft">
/// What removal left of the applied change, as a share of it: the removed copies minus the clean photos, projected onto
/// the protected photos minus the clean ones, over all the owners' values (0: all of it came off).
/// </param>
public sealed record RemovalSummary(int Photos, int Found, double WithinOneLevel, int WrongKeyFound, double AppliedLeft);
