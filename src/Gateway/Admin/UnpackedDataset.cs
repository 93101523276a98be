namespace UploadGuard.Gateway.Admin;

/// <summary>The images taken from an uploaded archive, and what was left out.</summary>
public sealed record UnpackedDataset(string Folder, int Images, int SkippedNonImages, long UnpackedBytes);
