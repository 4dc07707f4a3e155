namespace ComfyUI.Client;

/// <summary>The state of a <see cref="ComfyWebSocket"/>.</summary>
public enum ComfyWebSocketState
{
    /// <summary>Opening the first connection.</summary>
    Connecting,

    /// <summary>Connected and reading.</summary>
    Connected,

    /// <summary>The connection dropped; reconnecting.</summary>
    Reconnecting,

    /// <summary>Closed for good (disposed, or closed by the server with reconnecting off).</summary>
    Closed,

    /// <summary>Failed for good (reconnecting gave up, or the connection dropped with reconnecting off).</summary>
    Faulted,
}
