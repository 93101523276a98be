using UploadGuard.Gateway.Engine;
using UploadGuard.Gateway.Health;

var builder = WebApplication.CreateBuilder(args);

// The embedded default: http://localhost:5080 unless --urls, ASPNETCORE_URLS or Kestrel endpoints say otherwise.
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
    builder.WebHost.UseUrls("http://localhost:5080");

builder.Services.AddProblemDetails();
builder.Services.AddProtectionEngine(builder.Configuration);
builder.Services.AddHealthChecks()
    .AddCheck<EngineReadinessCheck>("engine", tags: ["ready"]);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready") });
app.MapGet("/", (EngineState state) => Results.Ok(state.Describe()))
    .WithName("GatewayInfo");

app.Run();

/// <summary>Entry point, visible to integration tests.</summary>
public partial class Program;
