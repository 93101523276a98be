using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace UploadGuard.Gateway.Admin;

/// <summary>The retraining worker's program (<c>uploadguard retrain</c>, src/Cli) and how to start it.</summary>
/// <param name="Path">The worker's <c>uploadguard.dll</c> or executable, absolute.</param>
public sealed record RetrainWorker(string Path)
{
    /// <summary>Where the container images put the CLI, relative to the gateway's folder (/app and /app/cli).</summary>
    public const string DefaultRelativePath = "cli/uploadguard.dll";

    /// <summary>The configured worker, else the default beside the gateway; null, with what to do about it, when there is none.</summary>
    public static RetrainWorker? Locate(string? configured, string baseDirectory, out string problem)
    {
        string path = System.IO.Path.GetFullPath(configured is { Length: > 0 } ? configured : DefaultRelativePath, baseDirectory);
        if (File.Exists(path))
        {
            problem = "";
            return new RetrainWorker(path);
        }
        problem = (configured is { Length: > 0 }
                ? $"Admin:RetrainWorker names '{path}', which does not exist."
                : $"Admin:RetrainWorker is not set and there is no {DefaultRelativePath} beside the gateway ({baseDirectory}).")
            + " Retraining runs in the CLI's worker process: set Admin:RetrainWorker (environment: Admin__RetrainWorker) to the CLI's"
            + " uploadguard.dll or uploadguard executable (dotnet publish src/Cli; /app/cli/uploadguard.dll in the container images).";
        return null;
    }

    /// <summary>Standard input, output and error are piped: the worker is told to stop on one and reports on the others.</summary>
    public ProcessStartInfo StartInfo(string workFile, string workingDirectory)
    {
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory,
        };
        if (Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            start.FileName = DotnetHost();
            start.ArgumentList.Add(Path);
        }
        else
        {
            start.FileName = Path;
        }
        start.ArgumentList.Add("retrain");
        start.ArgumentList.Add("--work");
        start.ArgumentList.Add(workFile);
        return start;
    }

    /// <summary>The dotnet host this gateway runs on, so a worker .dll runs on the same runtime whatever PATH says.</summary>
    private static string DotnetHost()
    {
        // `dotnet UploadGuard.Gateway.dll` (the container images, the tests): this process is the host.
        if (Environment.ProcessPath is { } current && System.IO.Path.GetFileNameWithoutExtension(current) == "dotnet")
            return current;
        // Started through the apphost: the host is at the root of the runtime, <root>/shared/Microsoft.NETCore.App/<version>/.
        string root = System.IO.Path.GetFullPath(System.IO.Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string host = System.IO.Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}
