namespace UploadGuard.Gateway.Tests.Support;

/// <summary>
/// Waits for something another process or thread does. The deadline is long because CI runs the test projects in
/// parallel on two cores; a condition that holds ends the wait at once, so a passing test pays nothing for it.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Polls until <paramref name="condition"/> holds or the deadline passes; says whether it holds.</summary>
    public static async Task<bool> HoldsAsync(Func<bool> condition)
    {
        var end = DateTime.UtcNow + Deadline;
        while (!condition() && DateTime.UtcNow < end)
            await Task.Delay(50);
        return condition();
    }

    /// <summary>Like <see cref="HoldsAsync"/>, but fails the test, naming <paramref name="what"/>, when it never holds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what) =>
        Assert.True(await HoldsAsync(condition), $"timed out after {Deadline.TotalSeconds:0} s waiting for {what}");
}
