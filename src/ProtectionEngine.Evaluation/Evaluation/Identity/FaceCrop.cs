using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace UploadGuard.ProtectionEngine.Evaluation.Identity;

/// <summary>
/// The attacker's face crop: a square box around the face whose size and centre vary per photo as a face detector's
/// do (side 85-115 % of the nominal box, centre within 10 % of the box of the photo's centre, where LFW's aligned faces
/// sit), resized to the victim's size (bicubic, antialiased). Seeded per photo, so every row crops a photo the same way.
/// </summary>
internal static class FaceCrop
{
    public static byte[] Apply(byte[] chw, int size, int faceBox, int victimSize, int seed)
    {
        var random = new Random(seed);
        int side = Math.Clamp((int)Math.Round(faceBox * (0.85 + 0.3 * random.NextDouble())), 8, size);
        double jitter = 0.1 * faceBox;
        int centreX = (int)Math.Round(size / 2.0 + (2 * random.NextDouble() - 1) * jitter);
        int centreY = (int)Math.Round(size / 2.0 + (2 * random.NextDouble() - 1) * jitter);
        int left = Math.Clamp(centreX - side / 2, 0, size - side), top = Math.Clamp(centreY - side / 2, 0, size - side);
        using var image = ChwPixels.ToImage(chw, size);
        image.Mutate(x => x.Crop(new Rectangle(left, top, side, side)).Resize(victimSize, victimSize, KnownResamplers.Bicubic));
        return ChwPixels.FromImage(image);
    }
}
