namespace ComfyUI.Client.WebSockets;

/// <summary>Internal settings of a <see cref="ComfyWebSocket"/> that tests replace.</summary>
internal sealed class ComfyWebSocketHooks
{
    /// <summary>The clock for reconnect delays and the idle watchdog.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Use the frame idle watchdog even where keep-alive pings with a pong timeout exist (.NET 9 and later).</summary>
    public bool ForceFrameWatchdog { get; init; }
}
