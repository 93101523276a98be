using System.Text.Json;
using System.Text.Json.Serialization;

namespace UploadGuard.Gateway.Jobs;

/// <summary>Stages a protection job reports over SignalR, in order; <see cref="Failed"/> may end it at any point.</summary>
/// <remarks>Serialised as camelCase strings (<c>"received"</c> ... <c>"failed"</c>), the names docs/gateway.md gives, in
/// every JSON payload: SignalR messages and hub results alike, for any client, including .NET ones using this type.</remarks>
[JsonConverter(typeof(JobStageJsonConverter))]
public enum JobStage
{
    Received,
    Queued,
    Protecting,
    Encoded,
    Forwarded,
    Done,
    Failed,
}

/// <summary>Writes and reads <see cref="JobStage"/> as a camelCase name; numbers are refused on input.</summary>
public sealed class JobStageJsonConverter() : JsonStringEnumConverter<JobStage>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);
