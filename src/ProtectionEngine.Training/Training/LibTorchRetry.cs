using System.Runtime.InteropServices;

namespace UploadGuard.ProtectionEngine.Training;

/// <summary>
/// Runs a training step a second time when libtorch fails inside it. TorchSharp turns each number in tensor arithmetic
/// into a temporary Scalar that nothing keeps alive during the native call, so now and then the garbage collector frees
/// one mid-call and libtorch fails ("Expected false to be true" in c10::Scalar::toFloat, "Unknown scalar type" in pow):
/// on these machines about once in two thousand steps, which ended a 3,000-step run (or an admin's retraining job) at a
/// random step. A step draws its batch and views from its own seed, so the second try sees the same ones; a failure that
/// repeats is a real error and is thrown. A failure after an optimiser's update makes the retry update those parameters
/// once more with the same batch: a slightly larger step, once in thousands.
/// </summary>
public static class LibTorchRetry
{
    public static T Run<T>(Func<T> step, Action<ExternalException> retrying)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(retrying);
        try
        {
            return step();
        }
        catch (ExternalException first)
        {
            retrying(first);
            return step();
        }
    }

    /// <summary>The first line of libtorch's message: the rest is a C++ stack trace.</summary>
    public static string Describe(ExternalException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Message.Split('\n')[0].Trim();
    }
}
