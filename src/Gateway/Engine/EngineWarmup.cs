using System.Security.Cryptography;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UploadGuard.ProtectionEngine.Models;
using UploadGuard.ProtectionEngine.Owners;
using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.Gateway.Engine;

/// <summary>Loads the model at start-up and runs one small image through the whole engine before reporting ready.</summary>
public sealed partial class EngineWarmup(EngineState state, ILogger<EngineWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var card = state.Host.Models.Card;
        if (card.Trained)
            LogModel(card.Version, card.Parameters);
        else
            LogUntrained(card.Version, ModelCard.UntrainedWarning);

        using var probe = new Image<Rgba32>(64, 48, new Rgba32(120, 130, 140));
        using var png = new MemoryStream();
        await probe.SaveAsPngAsync(png, stoppingToken);
        png.Position = 0;
        // An owner-keyed model refuses a photo without an owner; the probe uses a throwaway key no owner has.
        var options = new ProtectionOptions { Owner = OwnerKey.FromBytes("k-warmup", RandomNumberGenerator.GetBytes(32)) };
        var result = await state.Host.Protector.ProtectAsync(png, options, cancellationToken: stoppingToken);
        state.MarkWarm();
        LogWarm(result.Report.Timings.TotalMs);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Version} loaded ({Parameters} parameters)")]
    private partial void LogModel(string version, long parameters);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Version} loaded: {Warning}")]
    private partial void LogUntrained(string version, string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine warm after a {Milliseconds:0} ms probe image")]
    private partial void LogWarm(double milliseconds);
}
