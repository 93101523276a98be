using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using UploadGuard.Gateway.Security;

namespace UploadGuard.Gateway.Hubs;

/// <summary><c>/hubs/admin</c>: retraining progress (<c>training</c> messages with the job's state), for admins only.</summary>
[Authorize(Roles = ClientTokenAuthenticationHandler.AdminRole)]
public sealed class AdminHub : Hub
{
    public const string Path = "/hubs/admin";
    public const string TrainingMethod = "training";
}
