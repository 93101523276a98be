namespace UploadGuard.ProtectionEngine.Tests.Surrogate;

/// <summary>A fact that is skipped, with the reason shown, when the Kodak photos are not available.</summary>
public sealed class KodakFactAttribute : FactAttribute
{
    public KodakFactAttribute()
    {
        if (KodakPhotos.Archive is null)
            Skip = KodakPhotos.SkipReason;
    }
}
