using ComfyUI.Client.WebSockets;

namespace ComfyUI.Client;

public partial class ComfyUIClient
{
    /// <summary>
    /// Opens the WebSocket (<c>/ws?clientId=</c><see cref="ClientId"/>, with the client's auth, default and <c>Comfy-User</c> headers) and returns once it
    /// is connected and has sent the <c>feature_flags</c> handshake. Prompts submitted through this client report their events to it. It reconnects by
    /// itself (see <see cref="ComfyWebSocketOptions"/>); dispose it to close it.
    /// </summary>
    /// <param name="cancellationToken">Cancels opening (not the socket once open).</param>
    /// <returns>The connected socket.</returns>
    /// <exception cref="ComfyUIWebSocketException">The socket could not be opened (refused upgrade, timeout, network error).</exception>
    public virtual Task<ComfyWebSocket> ConnectWebSocketAsync(CancellationToken cancellationToken = default) =>
        ComfyWebSocket.ConnectAsync(Pipeline, WebSocketHooks, cancellationToken);

    /// <summary>The clock and test switches of the WebSocket (tests replace them).</summary>
    internal ComfyWebSocketHooks WebSocketHooks { get; set; } = new();
}
