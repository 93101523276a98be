namespace UploadGuard.ProtectionEngine.Models.OwnerTexture;

/// <summary>What the channels of an <see cref="OwnerTextureGenerator"/>'s atoms hold.</summary>
public enum AtomLayout
{
    /// <summary>Three colour channels, in an order the key picks.</summary>
    Colour,

    /// <summary>One channel, the same texture in red, green and blue: greying keeps it whole, chroma subsampling takes none of it.</summary>
    Luminance,

    /// <summary>
    /// A chroma part (three channels less their mean) and a luminance part (a fourth), each of half the power: the
    /// chroma part is what a victim learns at once in colour, the luminance part what grey and JPEG leave.
    /// </summary>
    ChromaAndLuminance,
}
