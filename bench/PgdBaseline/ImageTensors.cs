using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace UploadGuard.Bench.Pgd;

/// <summary>Decoded images as the float tensors the surrogate takes: [1, 3, H, W], RGB in [0, 1], alpha dropped.</summary>
public static class ImageTensors
{
    public static Tensor FromImage(Image<Rgba32> image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int width = image.Width, height = image.Height, plane = width * height;
        var chw = new byte[3 * plane];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    int i = y * width + x;
                    chw[i] = row[x].R;
                    chw[plane + i] = row[x].G;
                    chw[2 * plane + i] = row[x].B;
                }
            }
        });
        using var scope = NewDisposeScope();
        return tensor(chw, [1, 3, height, width]).to(ScalarType.Float32).div_(255f).MoveToOuterDisposeScope();
    }
}
