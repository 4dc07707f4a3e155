namespace ComfyUI.Client.WebSockets;

/// <summary>Internal switches of the WebSocket that tests change (the clock is the client's <c>TimeProvider</c>).</summary>
internal sealed class ComfyWebSocketHooks
{
    /// <summary>Use the frame idle watchdog even where keep-alive pings with a pong timeout exist (.NET 9 and later).</summary>
    public bool ForceFrameWatchdog { get; init; }
}
