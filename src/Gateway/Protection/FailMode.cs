namespace UploadGuard.Gateway.Protection;

/// <summary>What a route does with an image it cannot protect.</summary>
public enum FailMode
{
    /// <summary>Refuse the whole request; nothing is forwarded (the default).</summary>
    Closed,

    /// <summary>Forward the original and mark the upload unprotected in headers and events.</summary>
    Open,
}
