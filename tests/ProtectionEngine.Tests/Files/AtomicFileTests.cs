using UploadGuard.ProtectionEngine.Files;

namespace UploadGuard.ProtectionEngine.Tests.Files;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("atomic-file-").FullName;

    [Fact]
    public async Task Writes_a_new_file_and_replaces_an_old_one_leaving_no_temporary_file()
    {
        var path = Path.Combine(_folder, "data.bin");
        AtomicFile.Write(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(path));

        await AtomicFile.WriteAsync(path, new byte[] { 4, 5 });
        Assert.Equal([4, 5], await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_failed_write_keeps_the_old_file_and_removes_its_temporary_file()
    {
        var path = Path.Combine(_folder, "data.bin");
        AtomicFile.Write(path, [1, 2, 3]);
        // A folder under the temporary file's name makes writing it fail, as a full disk or a lost permission would.
        var blocker = Directory.CreateDirectory($"{path}.{Environment.ProcessId}.partial");
        Assert.True(IsFileSystemError(Record.Exception(() => AtomicFile.Write(path, [9]))));
        Assert.True(IsFileSystemError(await Record.ExceptionAsync(() => AtomicFile.WriteAsync(path, new byte[] { 9 }))));
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(path));

        blocker.Delete();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicFile.WriteAsync(path, new byte[] { 9 }, cancelled.Token));
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    private static bool IsFileSystemError(Exception? error) => error is IOException or UnauthorizedAccessException;

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
