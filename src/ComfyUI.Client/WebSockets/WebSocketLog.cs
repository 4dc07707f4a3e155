using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// Source-generated log messages of the WebSocket (event ids 100–119; the README lists every event id of the SDK). Never logs URLs with query
/// parameters, headers or keys.
/// </summary>
internal static partial class WebSocketLog
{
    [LoggerMessage(EventId = 100, EventName = "WebSocketConnected", Level = LogLevel.Information, Message = "WebSocket connected as client {ClientId}")]
    public static partial void Connected(ILogger logger, string clientId);

    [LoggerMessage(EventId = 101, EventName = "WebSocketDropped", Level = LogLevel.Warning, Message = "WebSocket of client {ClientId} dropped (close status {CloseStatus}, idle timeout {IdleTimeout})")]
    public static partial void Dropped(ILogger logger, string clientId, WebSocketCloseStatus? closeStatus, bool idleTimeout, Exception? exception);

    [LoggerMessage(EventId = 102, EventName = "WebSocketReconnecting", Level = LogLevel.Information, Message = "WebSocket reconnect attempt {Attempt} of client {ClientId} in {Delay}")]
    public static partial void Reconnecting(ILogger logger, int attempt, string clientId, TimeSpan delay, Exception? exception);

    [LoggerMessage(EventId = 103, EventName = "WebSocketReconnected", Level = LogLevel.Information, Message = "WebSocket of client {ClientId} reconnected after {Attempts} attempt(s)")]
    public static partial void Reconnected(ILogger logger, string clientId, int attempts);

    [LoggerMessage(EventId = 104, EventName = "WebSocketFailed", Level = LogLevel.Error, Message = "WebSocket of client {ClientId} failed for good")]
    public static partial void Failed(ILogger logger, string clientId, Exception exception);

    [LoggerMessage(EventId = 105, EventName = "WebSocketPreviewDropped", Level = LogLevel.Debug, Message = "WebSocket dropped a preview for a full subscriber ({Dropped} dropped so far)")]
    public static partial void PreviewDropped(ILogger logger, long dropped);

    [LoggerMessage(EventId = 106, EventName = "WebSocketProtocolError", Level = LogLevel.Warning, Message = "WebSocket frame could not be read: {Reason}")]
    public static partial void ProtocolError(ILogger logger, string reason);

    [LoggerMessage(EventId = 107, EventName = "WebSocketStreamFull", Level = LogLevel.Warning, Message = "The WebSocket's own stream is full and nobody reads it yet: message {MessageType} was not buffered (use Subscribe() or read ReadAllAsync)")]
    public static partial void DefaultStreamFull(ILogger logger, string messageType);

    [LoggerMessage(EventId = 108, EventName = "WebSocketClosed", Level = LogLevel.Debug, Message = "WebSocket of client {ClientId} closed")]
    public static partial void Closed(ILogger logger, string clientId);

    [LoggerMessage(EventId = 109, EventName = "WebSocketRefused", Level = LogLevel.Warning, Message = "WebSocket upgrade refused with status {StatusCode}; retrying slowly")]
    public static partial void Refused(ILogger logger, int statusCode);

    [LoggerMessage(EventId = 110, EventName = "WebSocketProbeFailed", Level = LogLevel.Warning, Message = "WebSocket was silent for the idle timeout and the server did not answer a probe; reconnecting")]
    public static partial void ProbeFailed(ILogger logger, Exception exception);
}
