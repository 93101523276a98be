using System.CommandLine;
using UploadGuard.Cli.Commands;
using UploadGuard.ProtectionEngine.Hosting;

// The commands are batch jobs over large tensors: keeping freed native memory spares them page faults (NativeAllocator).
NativeAllocator.KeepFreedMemory();

var root = new RootCommand("UploadGuard: adds a bounded, invisible perturbation to photos so models trained on them learn little.");
root.Subcommands.Add(ProtectCommand.Create());
root.Subcommands.Add(UnprotectCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(RetrainCommand.Create());
// Usage errors (an unknown option, a value out of range, a required option missing) exit 2, as the README says;
// System.CommandLine's own parse-error action prints them with the help and returns 1.
var parsed = root.Parse(args);
// On Ctrl+C or SIGTERM, training (and the retraining worker) finishes its step and writes a checkpoint however long that
// takes (a step can take seconds on a busy CPU): whoever supervises it (a person, the gateway, a container runtime)
// decides when to kill it. Other commands keep System.CommandLine's 2 s.
var invocation = new InvocationConfiguration();
if (parsed.CommandResult.Command.Name is RetrainCommand.Name or TrainCommand.Name)
    invocation.ProcessTerminationTimeout = Timeout.InfiniteTimeSpan;
int exitCode = await parsed.InvokeAsync(invocation);
return parsed.Errors.Count > 0 ? 2 : exitCode;
