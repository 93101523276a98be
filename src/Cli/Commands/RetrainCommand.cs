using System.CommandLine;
using System.Text.Json;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Cli.Commands;

/// <summary>
/// <c>uploadguard retrain --work &lt;file.json&gt;</c>: the gateway's admin retraining as a process of its own. It trains
/// what the work file says, gates the result against the active version and reports each step as a JSON line on
/// standard output; <c>cancel</c> on standard input, its end, or SIGTERM stops it at a checkpoint.
/// </summary>
internal static class RetrainCommand
{
    public const string Name = "retrain";

    public const int FailedExitCode = 1;

    public const int UsageExitCode = 2;

    public const int CancelledExitCode = 3;

    public static Command Create()
    {
        var work = new Option<FileInfo>("--work")
        {
            Description = "The work file (JSON): the admin API's retraining fields (left out: train's defaults) plus dataSource, modelsPath, "
                + "checkpointDirectory, checkpointInterval, device, gateSampleSize and gateMinimumPsnr.",
            Required = true,
        };
        var detached = new Option<bool>("--detached")
        {
            Description = "Keep training when standard input ends (no one to send 'cancel', e.g. < /dev/null); SIGTERM still cancels.",
        };
        var command = new Command(Name, "The admin retraining worker, also for operators: train and gate one version, reporting JSON lines on standard output.")
        {
            work, detached,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(work)!, result.GetValue(detached), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo workFile, bool detached, CancellationToken terminated)
    {
        // Events own standard output; anything else the process prints (ours or a library's) goes to standard error.
        var events = new RetrainEvents(Console.Out);
        Console.SetOut(Console.Error);

        RetrainSettings settings;
        try
        {
            settings = RetrainWork.Read(workFile.FullName).Resolve();
            if (!File.Exists(settings.DataSource) && !Directory.Exists(settings.DataSource))
                throw new ArgumentException($"the training data '{settings.DataSource}' does not exist (give a folder or a .tar / .tar.gz archive).");
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or JsonException)
        {
            string error = ex is IOException or UnauthorizedAccessException or JsonException ? $"the work file '{workFile.FullName}' is unusable: {ex.Message}" : ex.Message;
            await Console.Error.WriteLineAsync($"error: {error}");
            events.Failed(error);
            return UsageExitCode;
        }
        events.Started(settings);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(terminated);
        WatchStandardInput(cancel, detached);
        long step = 0;
        TrainingResult result;
        try
        {
            var progress = new InlineProgress<TrainingProgress>(p =>
            {
                if (p.Phase is not (TrainingPhase.Training or TrainingPhase.Resumed))
                    return;
                step = p.Step;
                events.Progress(p);
            });
            result = await GeneratorTrainer.TrainAsync(settings.ToTrainingOptions(), progress, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The trainer has written a checkpoint of this step (with a checkpoint folder): the same work file resumes there.
            events.Cancelled(step);
            return CancelledExitCode;
        }
        catch (Exception ex)
        {
            return Fail(events, ex);
        }
        events.Trained(result.Card.Version);

        // The version is in the registry now; a cancel would only lose the verdict, and the gate takes seconds.
        try
        {
            events.Gate(RetrainGate.Run(settings, result.Card));
        }
        catch (Exception ex)
        {
            return Fail(events, ex);
        }
        return 0;
    }

    private static int Fail(RetrainEvents events, Exception ex)
    {
        Console.Error.WriteLine(ex);
        events.Failed(ex.Message);
        return FailedExitCode;
    }

    /// <summary>
    /// A <c>cancel</c> line cancels; so does the end of input unless <paramref name="detached"/>, because a parent that
    /// dies closes the pipe without a word, and a worker training on for hours with no one to report to helps no one.
    /// </summary>
    private static void WatchStandardInput(CancellationTokenSource cancel, bool detached)
    {
        var reader = new Thread(() =>
        {
            try
            {
                while (Console.In.ReadLine() is { } line)
                {
                    if (line.Trim().Equals("cancel", StringComparison.OrdinalIgnoreCase))
                    {
                        Console.Error.WriteLine("cancel requested on standard input");
                        cancel.Cancel();
                        return;
                    }
                }
                if (!detached)
                {
                    Console.Error.WriteLine("standard input ended: cancelling (give --detached to train without standard input)");
                    cancel.Cancel();
                }
            }
            catch (ObjectDisposedException)
            {
                // The run ended first.
            }
        })
        { IsBackground = true, Name = "retrain standard input" };
        reader.Start();
    }
}
