using Microsoft.Extensions.Options;
using Polly;
using UploadGuard.ProtectionEngine.Batching;
using UploadGuard.ProtectionEngine.Hosting;
using UploadGuard.ProtectionEngine.Imaging;

namespace UploadGuard.Gateway.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>Binds the Engine, Imaging and Batching sections and registers the engine, loaded and warmed at start-up.</summary>
    public static IServiceCollection AddProtectionEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<EngineOptions>(configuration.GetSection(EngineOptions.SectionName));
        services.Configure<ImagingOptions>(configuration.GetSection(ImagingOptions.SectionName));
        services.Configure<BatchingOptions>(configuration.GetSection(BatchingOptions.SectionName));
        services.AddSingleton(sp => ProtectionEngineHost.Create(
            sp.GetRequiredService<IOptions<EngineOptions>>().Value,
            sp.GetRequiredService<IOptions<ImagingOptions>>().Value,
            sp.GetRequiredService<IOptions<BatchingOptions>>().Value));
        services.AddSingleton<EngineState>();
        services.AddSingleton<IProtectionEngine, LocalProtectionEngine>();
        services.AddHostedService<EngineWarmup>();

        services.Configure<EngineResilienceOptions>(configuration.GetSection(EngineResilienceOptions.SectionName));
        services.AddResiliencePipeline(ResilientProtection.PipelineName, (builder, context) =>
            ResilientProtection.Configure(builder, context.ServiceProvider.GetRequiredService<IOptions<EngineResilienceOptions>>().Value));
        services.AddSingleton<DecodeBudget>();
        services.AddSingleton<ResilientProtection>();

        services.Configure<NativeMemoryOptions>(configuration.GetSection(NativeMemoryOptions.SectionName));
        services.AddHostedService<NativeMemoryTrimmer>();
        return services;
    }
}
