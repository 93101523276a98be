namespace UploadGuard.ProtectionEngine.Tests.Datasets;

/// <summary>A fact that is skipped, with the reason shown, when an archive of ../shared/data is not available.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string file)
    {
        if (SharedDatasets.Find(file) is null)
            Skip = SharedDatasets.SkipReason(file);
    }
}
