using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>Applies a <see cref="MetadataPolicy"/> to an image's metadata. The ICC profile is never touched.</summary>
internal static class PersonalMetadataScrubber
{
    // The GPS IFD's own tags are numbered 0x0000-0x001F; no other EXIF tag uses that range.
    private const ushort LastGpsTag = 0x001F;

    private static readonly HashSet<ushort> PersonalTags =
    [
        (ushort)ExifTag.GPSIFDOffset,
        (ushort)ExifTag.Artist,
        (ushort)ExifTag.HostComputer,
        (ushort)ExifTag.ImageUniqueID,
        (ushort)ExifTag.OwnerName,
        (ushort)ExifTag.SerialNumber,
        (ushort)ExifTag.LensSerialNumber,
        (ushort)ExifTag.MakerNote,
        (ushort)ExifTag.UserComment,
        (ushort)ExifTag.XPAuthor,
        (ushort)ExifTag.XPComment,
        (ushort)ExifTag.XPKeywords,
        (ushort)ExifTag.XPSubject,
    ];

    /// <summary>True when an EXIF tag number is one the default policy removes.</summary>
    public static bool IsPersonal(ushort tag) => tag <= LastGpsTag || PersonalTags.Contains(tag);

    public static void Apply(ImageMetadata metadata, MetadataPolicy policy)
    {
        switch (policy)
        {
            case MetadataPolicy.KeepAll:
                return;
            case MetadataPolicy.StripAll:
                metadata.ExifProfile = null;
                break;
            case MetadataPolicy.StripPersonal when metadata.ExifProfile is { } exif:
                foreach (var value in exif.Values.ToList())
                {
                    if (IsPersonal((ushort)value.Tag))
                        exif.RemoveValue(value.Tag);
                }
                break;
        }

        // XMP and IPTC blocks routinely repeat location, creator and contact fields; they are not kept by default.
        metadata.XmpProfile = null;
        metadata.IptcProfile = null;
    }
}
