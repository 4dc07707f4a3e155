using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Testing.WebSockets;

/// <summary>One accepted WebSocket.</summary>
internal sealed class WsConnection
{
    public WsConnection(string sid, WebSocket socket)
    {
        Sid = sid;
        Socket = socket;
    }

    public string Sid { get; }

    public WebSocket Socket { get; }

    public JsonObject? ClientFeatureFlags { get; set; }

    public bool SupportsPreviewMetadata => ClientFeatureFlags?["supports_preview_metadata"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public bool FirstMessageSeen { get; set; }

    public CancellationTokenSource Closed { get; } = new();

    /// <summary>Completed when the fault "drop" ends this connection: the handler returns without a close frame, so frames already sent are still delivered before the TCP FIN.</summary>
    public TaskCompletionSource Dropped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Drop() => Dropped.TrySetResult();

    public void Abort()
    {
        try
        {
            Socket.Abort();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            Closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
