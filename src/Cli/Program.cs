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
return await root.Parse(args).InvokeAsync();
