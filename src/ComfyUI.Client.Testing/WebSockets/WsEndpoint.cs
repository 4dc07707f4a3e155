using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Routes;
using Microsoft.AspNetCore.Http;

namespace ComfyUI.Client.Testing.WebSockets;

/// <summary>GET /ws?clientId=: status with sid on connect, the feature_flags handshake, then events from the hub.</summary>
internal sealed class WsEndpoint
{
    private readonly ServerContext context;

    public WsEndpoint(ServerContext context)
    {
        this.context = context;
    }

    public async Task HandleAsync(HttpContext h)
    {
        if (!h.WebSockets.IsWebSocketRequest)
        {
            await Http.Text(h, "400: Bad Request", 400).ConfigureAwait(false);
            return;
        }

        var hub = context.Hub;
        Interlocked.Increment(ref hub.UpgradeAttempts);
        var refuse = hub.RefuseStatusCode;
        if (refuse != 0)
        {
            Interlocked.Increment(ref hub.UpgradesRefused);
            h.Response.StatusCode = refuse;
            return;
        }

        var sid = h.Request.Query["clientId"].ToString();
        if (string.IsNullOrEmpty(sid))
        {
            sid = Guid.NewGuid().ToString("N");
        }

        using var socket = await h.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new WsConnection(sid, socket);
        hub.Register(connection);
        hub.SendTo(connection, "status", new JsonObject { ["status"] = context.State.StatusData(), ["sid"] = sid });
        string? runningNode = null;
        lock (context.State.Gate)
        {
            if (context.State.Running?.ClientId == sid)
            {
                runningNode = context.State.RunningNode;
            }
        }

        if (runningNode is not null)
        {
            hub.SendTo(connection, "executing", new JsonObject { ["node"] = runningNode });
        }

        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    var receive = socket.ReceiveAsync(buffer, connection.Closed.Token);
                    var first = await Task.WhenAny(receive, connection.Dropped.Task).ConfigureAwait(false);
                    if (first != receive)
                    {
                        _ = receive.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                        return;
                    }

                    result = await receive.ConfigureAwait(false);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                    break;
                }

                if (result.MessageType == WebSocketMessageType.Text && !connection.FirstMessageSeen)
                {
                    connection.FirstMessageSeen = true;
                    HandleFirstMessage(connection, Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            hub.Unregister(connection);
            if (!connection.Dropped.Task.IsCompleted)
            {
                connection.Abort();
            }
        }
    }

    private void HandleFirstMessage(WsConnection connection, string text)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject message && Json.GetString(message["type"]) == "feature_flags" && message["data"] is JsonObject data)
            {
                connection.ClientFeatureFlags = (JsonObject)data.DeepClone();
                context.Hub.SendTo(connection, "feature_flags", DiscoveryRoutes.Features());
            }
        }
        catch (JsonException)
        {
        }
    }
}
