namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>The image formats the engine decodes and encodes. Nothing else is registered with the decoder.</summary>
public enum ImageFormatKind
{
    Jpeg,
    Png,
    Webp,
}
