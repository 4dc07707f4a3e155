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
