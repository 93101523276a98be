using System.CommandLine;
using Spectre.Console;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;
using UploadGuard.ProtectionEngine.Files;

namespace UploadGuard.Cli.Commands;

/// <summary><c>uploadguard unprotect &lt;file|folder&gt; -o &lt;out&gt; --owner ID</c>: authorised removal by the key holder.</summary>
internal static class UnprotectCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A protected photo, or a folder of them (.jpg, .jpeg, .png, .webp; top level)." };
        var output = new Option<string>("--output", "-o") { Description = "Output file, or folder for several photos.", Required = true };
        var epsilon = CommonOptions.Epsilon("The budget the photos were protected with (their reports say)");
        var format = new Option<string>("--format", "-f") { Description = "Output format (png restores lossless photos exactly).", DefaultValueFactory = _ => "keep" };
        format.AcceptOnlyFromAmong("keep", "png", "jpeg", "webp");
        var model = new Option<string?>("--model") { Description = "The owner-keyed model version that protected the photos (default: the registry's active one)." };
        var models = CommonOptions.ModelsPath();
        var overwrite = new Option<bool>("--overwrite") { Description = "Allow the output to replace the input file." };
        var owner = new OwnerKeyOptions();
        owner.Owner.Required = true;

        var command = new Command("unprotect", "Take an owner-keyed perturbation off photos, as the key holder (the owner's id and the secret).")
        {
            input, output, epsilon, format, model, models, overwrite,
        };
        owner.AddTo(command);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(Run(parsed, owner, parsed.GetValue(input)!, parsed.GetValue(output)!, parsed.GetValue(epsilon),
            parsed.GetValue(format) switch { "png" => OutputFormat.Png, "jpeg" => OutputFormat.Jpeg, "webp" => OutputFormat.Webp, _ => OutputFormat.Keep },
            parsed.GetValue(model), parsed.GetValue(models)!.FullName, parsed.GetValue(overwrite), cancellationToken)));
        return command;
    }

    private static int Run(ParseResult parsed, OwnerKeyOptions ownerOptions, string input, string output, int? epsilon, OutputFormat format, string? model,
        string modelsPath, bool overwrite, CancellationToken cancellationToken)
    {
        IReadOnlyList<OwnerKey> keys;
        ProtectPlan plan;
        try
        {
            string owner = parsed.GetValue(ownerOptions.Owner)!;
            OwnerKeyring.ValidateOwnerId(owner);
            keys = ownerOptions.Keyring(parsed).DeriveAll(owner);
            plan = ProtectPlan.Create(input, output, format, overwrite);
        }
        catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or InvalidOperationException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }

        ProtectionEngineHost? engine = null;
        try
        {
            engine = ProtectionEngineHost.Create(new EngineOptions { ModelsPath = modelsPath, ModelVersion = model, Device = "cpu" },
                new ImagingOptions { Metadata = MetadataPolicy.KeepAll }, new BatchingOptions());
            var card = engine.Models.Card;
            if (!card.Architecture.IsOwnerKeyed)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] model {card.Version} is not owner-keyed; only an owner-keyed model's perturbation can be removed (give --model).");
                return 2;
            }
            int failed = 0;
            foreach (var (source, target) in plan.Items)
            {
                try
                {
                    var result = engine.Unprotector.Unprotect(File.ReadAllBytes(source.FullName), keys, epsilon, format, cancellationToken);
                    target.Directory?.Create();
                    AtomicFile.Write(target.FullName, result.Data);
                    AnsiConsole.MarkupLineInterpolated($"[green]unprotected[/] {source.Name} -> {target.FullName} (key {result.KeyId}, match {result.Correlation:0.00})");
                }
                catch (Exception ex) when (ex is OwnerTextureNotFoundException or ImageRejectedException or IOException or UnauthorizedAccessException)
                {
                    failed++;
                    AnsiConsole.MarkupLineInterpolated($"[red]skipped[/] {source.Name}: {ex.Message}");
                }
            }
            return failed > 0 ? 1 : 0;
        }
        catch (ModelIntegrityException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] cannot load the model: {ex.Message}");
            return 2;
        }
        finally
        {
            engine?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
