namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>What happens to a photo's embedded metadata. The ICC colour profile is kept in every mode.</summary>
public enum MetadataPolicy
{
    /// <summary>Remove GPS position, serial numbers, owner names, comments, maker notes, XMP and IPTC; keep the rest.</summary>
    StripPersonal,

    /// <summary>Keep all metadata as it came (the orientation tag is still reset after it is applied).</summary>
    KeepAll,

    /// <summary>Remove EXIF, XMP and IPTC entirely.</summary>
    StripAll,
}
