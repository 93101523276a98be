using System.Runtime.InteropServices;
using UploadGuard.ProtectionEngine.Training;
using static TorchSharp.torch;

namespace UploadGuard.ProtectionEngine.Tests.Training;

public sealed class LibTorchRetryTests
{
    [Fact]
    public void A_step_that_fails_in_libtorch_once_is_run_again_and_says_so()
    {
        // The first call fails in libtorch for real (mismatched shapes, which TorchSharp raises as an ExternalException),
        // as a freed Scalar makes one call fail; the second goes through.
        int calls = 0;
        var reported = new List<ExternalException>();

        long columns = LibTorchRetry.Run(() =>
        {
            using var a = zeros(2, 3);
            using var b = zeros(2, ++calls == 1 ? 4 : 3);
            using var sum = a + b;
            return sum.shape[1];
        }, reported.Add);

        Assert.Equal(3, columns);
        Assert.Equal(2, calls);
        Assert.Single(reported);
    }

    [Fact]
    public void A_libtorch_error_that_repeats_is_thrown_after_one_retry()
    {
        // A real error fails the same way twice.
        int calls = 0, retries = 0;
        Assert.ThrowsAny<ExternalException>(() => LibTorchRetry.Run(() =>
        {
            calls++;
            using var a = zeros(2, 3);
            using var b = zeros(2, 4);
            using var sum = a + b;
            return sum.shape[0];
        }, _ => retries++));
        Assert.Equal(2, calls);
        Assert.Equal(1, retries);
    }

    [Fact]
    public void Other_failures_are_not_retried()
    {
        int calls = 0;
        Assert.Throws<InvalidOperationException>(() => LibTorchRetry.Run<int>(() =>
        {
            calls++;
            throw new InvalidOperationException("The loss is NaN");
        }, _ => Assert.Fail("not a libtorch failure")));
        Assert.Equal(1, calls);
    }
}
