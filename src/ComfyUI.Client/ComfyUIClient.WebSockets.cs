using ComfyUI.Client.WebSockets;

namespace ComfyUI.Client;

public partial class ComfyUIClient
{
    /// <summary>
    /// Returns a handle on the client id's WebSocket (<c>/ws?clientId=</c><see cref="ClientId"/>, with the client's auth, default and <c>Comfy-User</c>
    /// headers), opening it when needed: returns once it is connected and has sent the <c>feature_flags</c> handshake, or at once when the socket is
    /// already open (for example for tracked runs, which share it). Prompts submitted with this client id report their events to it. It reconnects by
    /// itself (see <see cref="ComfyWebSocketOptions"/>). Dispose the handle when done: the socket closes when no one uses it any more.
    /// </summary>
    /// <remarks>
    /// Every handle and every tracked run of one client id in this process share one physical socket, because ComfyUI keeps one socket per client id
    /// (see <see cref="ComfyWebSocket"/>). Another <em>process</em> that uses the same fixed <see cref="ComfyUIClientOptions.ClientId"/> cannot share it:
    /// see that property.
    /// </remarks>
    /// <param name="cancellationToken">Cancels opening (not the socket once open).</param>
    /// <returns>The connected socket's handle.</returns>
    /// <exception cref="ComfyUIWebSocketException">The socket could not be opened (refused upgrade, timeout, network error).</exception>
    public virtual Task<ComfyWebSocket> ConnectWebSocketAsync(CancellationToken cancellationToken = default) =>
        ComfyWebSocket.ConnectAsync(this, cancellationToken);

    /// <summary>Test switches of the WebSocket.</summary>
    internal ComfyWebSocketHooks WebSocketHooks { get; set; } = new();

    /// <summary>Leases the client id's one socket in this process (opening it when needed).</summary>
    internal Task<SocketLease> AcquireSocketAsync(CancellationToken cancellationToken) =>
        SocketRegistry.AcquireAsync(Pipeline, WebSocketHooks, ct => Queue.GetStatusAsync(ct), cancellationToken);
}
