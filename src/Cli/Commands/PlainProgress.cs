using System.Globalization;

namespace UploadGuard.Cli.Commands;

/// <summary>
/// Progress for output that is not a terminal (a log, a pipe, CI): one line per tenth of the work and always a last
/// line at 100 %. Spectre's live progress prints only what it happens to sample there, and its last sample is usually
/// taken before the work ends.
/// </summary>
internal sealed class PlainProgress(string description, int total, TextWriter output)
{
    private readonly Lock _gate = new();
    private int _done;
    private int _lastTenth = -1;

    public void Advance()
    {
        lock (_gate)
        {
            _done++;
            int percent = total == 0 ? 100 : (int)(100L * _done / total);
            if (percent / 10 == _lastTenth && _done < total)
                return;
            _lastTenth = percent / 10;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{description}: {_done}/{total} ({percent} %)"));
        }
    }
}
