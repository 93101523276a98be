namespace UploadGuard.Gateway.Security;

public sealed class ClientUser
{
    public string Name { get; set; } = "";

    public string Token { get; set; } = "";
}
