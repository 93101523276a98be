using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace UploadGuard.ProtectionEngine.Imaging;

/// <summary>
/// libjpeg-turbo's decoder, through the system's TurboJPEG library (Debian and Ubuntu: <c>libturbojpeg0</c>), with
/// djpeg's defaults (accurate integer IDCT, fancy upsampling). It is the JPEG decoder of Chromium, Firefox, Pillow and
/// most scrapers, and it rounds differently from ImageSharp's by a level or two: a JPEG output re-projected against one
/// decoder only can sit outside the budget by more in the other. Optional: without the library the engine checks its
/// own decoder only, and says so.
/// </summary>
public static class LibJpeg
{
    /// <summary>Names this decoder wherever a figure measured with it is reported.</summary>
    public const string DecoderName = "libjpeg";

    private const int PixelFormatRgba = 7;   // TJPF_RGBA

    private static readonly Lazy<Api?> Loaded = new(Load);

    /// <summary>Whether the TurboJPEG library could be loaded in this process.</summary>
    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>
    /// Decodes a JPEG to RGBA, applying an EXIF orientation as the engine's decoder does. Null when the library is
    /// missing, the data is not a JPEG it can decode to RGB (CMYK, 12-bit, corrupt: libjpeg refuses it or warns), or it
    /// declares more than <paramref name="maxPixels"/> pixels.
    /// </summary>
    public static Image<Rgba32>? TryDecode(ReadOnlyMemory<byte> jpeg, ushort orientation = 1, long maxPixels = long.MaxValue)
    {
        var api = Loaded.Value;
        if (api is null)
            return null;
        byte[] data = MemoryMarshal.TryGetArray(jpeg, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : jpeg.ToArray();
        var size = new CULong((nuint)data.Length);
        nint handle = api.InitDecompress();
        if (handle == 0)
            return null;
        try
        {
            if (api.DecompressHeader3(handle, data, size, out int width, out int height, out _, out _) != 0
                || width <= 0 || height <= 0 || (long)width * height > maxPixels)
                return null;
            var pixels = new byte[checked(width * height * 4)];
            if (api.Decompress2(handle, data, size, pixels, width, width * 4, height, PixelFormatRgba, 0) != 0)
                return null;
            var image = Image.LoadPixelData<Rgba32>(pixels, width, height);
            if (orientation is > 1 and <= 8)
            {
                image.Metadata.ExifProfile = new ExifProfile();
                image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
                image.Mutate(x => x.AutoOrient());
            }
            return image;
        }
        finally
        {
            api.Destroy(handle);
        }
    }

    private static Api? Load()
    {
        foreach (var name in new[] { "libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "turbojpeg" })
        {
            if (!NativeLibrary.TryLoad(name, out var library))
                continue;
            if (NativeLibrary.TryGetExport(library, "tjInitDecompress", out var init)
                && NativeLibrary.TryGetExport(library, "tjDecompressHeader3", out var header)
                && NativeLibrary.TryGetExport(library, "tjDecompress2", out var decompress)
                && NativeLibrary.TryGetExport(library, "tjDestroy", out var destroy))
                return new Api(
                    Marshal.GetDelegateForFunctionPointer<InitDecompressFunction>(init),
                    Marshal.GetDelegateForFunctionPointer<DecompressHeader3Function>(header),
                    Marshal.GetDelegateForFunctionPointer<Decompress2Function>(decompress),
                    Marshal.GetDelegateForFunctionPointer<DestroyFunction>(destroy));
            NativeLibrary.Free(library);
        }
        return null;
    }

    private sealed record Api(
        InitDecompressFunction InitDecompress,
        DecompressHeader3Function DecompressHeader3,
        Decompress2Function Decompress2,
        DestroyFunction Destroy);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint InitDecompressFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int DecompressHeader3Function(nint handle, byte[] jpeg, CULong size, out int width, out int height, out int subsampling,
        out int colourspace);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Decompress2Function(nint handle, byte[] jpeg, CULong size, [Out] byte[] pixels, int width, int pitch, int height,
        int pixelFormat, int flags);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int DestroyFunction(nint handle);
}
