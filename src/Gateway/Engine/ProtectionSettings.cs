using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Engine;

/// <summary>
/// What a request's images are protected with: the budget (null: the active model's own) and the caps each image must
/// pass before it reaches the engine (a route's own or the gateway's, never above <see cref="ImagingOptions"/>).
/// </summary>
public sealed record ProtectionSettings(int? Epsilon, IReadOnlySet<ImageFormatKind> Formats, long MaxImageBytes, long MaxImagePixels);
