using System.Net;
using System.Net.WebSockets;

namespace ComfyUI.Client;

/// <summary>
/// A change of the connection, delivered in-band and in order with the server's messages. Events sent while the socket was down are lost:
/// after <see cref="ReconnectedMessage"/>, reconcile prompts you wait for over HTTP (history, queue, jobs).
/// </summary>
public abstract record ConnectionStateMessage : ComfyMessage
{
    /// <summary>When it happened (from the socket's time provider).</summary>
    public DateTimeOffset Time { get; init; }
}

/// <summary>The socket connected for the first time.</summary>
public sealed record ConnectedMessage : ConnectionStateMessage
{
    /// <summary>The client id the socket connected with.</summary>
    public required string ClientId { get; init; }
}

/// <summary>The connection dropped: the server closed or aborted it, a keep-alive or idle timeout fired, or reading failed.</summary>
public sealed record DisconnectedMessage : ConnectionStateMessage
{
    /// <summary>The error that ended the connection; <see langword="null"/> when the server closed it cleanly.</summary>
    public Exception? Reason { get; init; }

    /// <summary>The close status the server sent, when it closed the connection.</summary>
    public WebSocketCloseStatus? CloseStatus { get; init; }

    /// <summary>The close description the server sent, when it closed the connection.</summary>
    public string? CloseDescription { get; init; }

    /// <summary>Whether the idle watchdog ended a silent connection.</summary>
    public bool IsIdleTimeout { get; init; }
}

/// <summary>A reconnect attempt is about to start after <see cref="Delay"/>.</summary>
public sealed record ReconnectingMessage : ConnectionStateMessage
{
    /// <summary>The attempt number, from 1.</summary>
    public int Attempt { get; init; }

    /// <summary>The wait before this attempt.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Why the previous connection or attempt failed, when known.</summary>
    public Exception? Reason { get; init; }

    /// <summary>The HTTP status of a refused upgrade (for example 403), when that was the reason.</summary>
    public HttpStatusCode? StatusCode { get; init; }
}

/// <summary>The socket is connected again, with the same client id. Events sent during the gap are lost.</summary>
public sealed record ReconnectedMessage : ConnectionStateMessage
{
    /// <summary>The client id the socket connected with (unchanged).</summary>
    public required string ClientId { get; init; }

    /// <summary>How many attempts this reconnect took.</summary>
    public int Attempts { get; init; }

    /// <summary>How many reconnects the socket has made in total.</summary>
    public int ReconnectCount { get; init; }
}

/// <summary>The socket is closed for good (disposed, closed by the server with reconnecting off, or failed). It is the last message of a stream.</summary>
public sealed record ClosedMessage : ConnectionStateMessage
{
    /// <summary>The error that ended the socket, or <see langword="null"/> for a clean close.</summary>
    public Exception? Reason { get; init; }
}
