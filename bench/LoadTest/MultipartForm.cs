using System.Text;

namespace UploadGuard.Bench.Load;

/// <summary>multipart/form-data bodies written byte by byte, as a browser sends them.</summary>
public static class MultipartForm
{
    /// <param name="boundary">The boundary (without the leading dashes).</param>
    /// <param name="parts">Field name, file name (null for a plain field), Content-Type ("" for none) and content.</param>
    public static byte[] Write(string boundary, IEnumerable<(string Name, string? FileName, string Type, byte[] Data)> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var body = new MemoryStream();
        foreach (var (name, fileName, type, data) in parts)
        {
            body.Write(Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"" + (fileName is null ? "" : $"; filename=\"{fileName}\"") + "\r\n"));
            if (type.Length > 0) body.Write(Encoding.ASCII.GetBytes($"Content-Type: {type}\r\n"));
            body.Write("\r\n"u8);
            body.Write(data);
            body.Write("\r\n"u8);
        }
        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        return body.ToArray();
    }

    /// <summary>The media type of a JPEG, PNG or (otherwise) WebP file, by its first byte.</summary>
    public static string TypeOf(byte[] data) => data[0] == 0xFF ? "image/jpeg" : data[0] == 0x89 ? "image/png" : "image/webp";

    public static string Extension(byte[] data) => data[0] == 0xFF ? ".jpg" : data[0] == 0x89 ? ".png" : ".webp";
}
