using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ComfyUI.Client.Testing.WebSockets;

/// <summary>
/// The socket registry and the single outbound FIFO: every event goes through one queue, like the real
/// server's message queue, so the order on the wire is the order of the calls.
/// </summary>
internal sealed class WsHub : IDisposable
{
    private readonly object gate = new();
    private readonly Dictionary<string, WsConnection> bySid = new(StringComparer.Ordinal);
    private readonly List<WsConnection> all = [];
    private readonly Channel<Outbound> outbound = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stop = new();
    private readonly Task pump;
    private int dropAfter = -1;
    private volatile bool stalled;

    public WsHub()
    {
        pump = Task.Run(PumpAsync);
    }

    public int UpgradeAttempts;
    public int UpgradesRefused;
    public volatile int RefuseStatusCode;

    public bool Stalled
    {
        get => stalled;
        set => stalled = value;
    }

    public IReadOnlyList<string> ConnectedClientIds
    {
        get
        {
            lock (gate)
            {
                return [.. bySid.Keys];
            }
        }
    }

    public IReadOnlyList<JsonObject> ReceivedFeatureFlags
    {
        get
        {
            lock (gate)
            {
                return [.. all.Where(c => c.ClientFeatureFlags is not null).Select(c => (JsonObject)c.ClientFeatureFlags!.DeepClone())];
            }
        }
    }

    public WsConnection? Find(string? sid)
    {
        if (sid is null)
        {
            return null;
        }

        lock (gate)
        {
            return bySid.GetValueOrDefault(sid);
        }
    }

    public void Register(WsConnection connection)
    {
        lock (gate)
        {
            bySid[connection.Sid] = connection;
            all.Add(connection);
        }
    }

    public void Unregister(WsConnection connection)
    {
        lock (gate)
        {
            all.Remove(connection);
            // The newest socket for an id keeps the routing (the fake does not reproduce the real server's unregister pitfall).
            if (bySid.TryGetValue(connection.Sid, out var current) && ReferenceEquals(current, connection))
            {
                bySid.Remove(connection.Sid);
            }
        }
    }

    /// <summary>Ends every connection without a close frame (<paramref name="abort"/>: reset at once, used on dispose).</summary>
    public void DropAll(bool abort = false)
    {
        List<WsConnection> copy;
        lock (gate)
        {
            copy = [.. all];
            all.Clear();
            bySid.Clear();
        }

        foreach (var c in copy)
        {
            if (abort)
            {
                c.Abort();
            }
            else
            {
                c.Drop();
            }
        }
    }

    public void DropAfter(int messages) => Volatile.Write(ref dropAfter, messages);

    /// <summary>Queues a JSON event; <paramref name="sid"/> null broadcasts.</summary>
    public void Send(string type, JsonObject data, string? sid)
    {
        var text = Json.Serialize(new JsonObject { ["type"] = type, ["data"] = data });
        outbound.Writer.TryWrite(new Outbound(sid, Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, null));
    }

    /// <summary>Queues a binary frame; <paramref name="sid"/> null broadcasts.</summary>
    public void SendBinary(byte[] frame, string? sid) => outbound.Writer.TryWrite(new Outbound(sid, frame, WebSocketMessageType.Binary, null));

    /// <summary>Queues a frame to exactly one connection (the connect-time status and the feature flags reply).</summary>
    public void SendTo(WsConnection connection, string type, JsonObject data)
    {
        var text = Json.Serialize(new JsonObject { ["type"] = type, ["data"] = data });
        outbound.Writer.TryWrite(new Outbound(null, Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, connection));
    }

    /// <summary>Waits until everything queued so far was written (or dropped).</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        outbound.Writer.TryWrite(new Outbound(null, [], WebSocketMessageType.Close, null, done));
        return done.Task;
    }

    public static byte[] PreviewFrame(int format, byte[] image)
    {
        var frame = new byte[8 + image.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, 1);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)format);
        image.CopyTo(frame, 8);
        return frame;
    }

    public static byte[] PreviewWithMetadataFrame(JsonObject metadata, byte[] image)
    {
        var meta = Encoding.UTF8.GetBytes(Json.Serialize(metadata));
        var frame = new byte[8 + meta.Length + image.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, 4);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)meta.Length);
        meta.CopyTo(frame, 8);
        image.CopyTo(frame, 8 + meta.Length);
        return frame;
    }

    public static byte[] TextFrame(string nodeId, string text)
    {
        var node = Encoding.UTF8.GetBytes(nodeId);
        var body = Encoding.UTF8.GetBytes(text);
        var frame = new byte[8 + node.Length + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, 3);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)node.Length);
        node.CopyTo(frame, 8);
        body.CopyTo(frame, 8 + node.Length);
        return frame;
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var message in outbound.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                if (message.Flushed is not null)
                {
                    message.Flushed.TrySetResult();
                    continue;
                }

                if (stalled)
                {
                    continue;
                }

                List<WsConnection> targets;
                if (message.Connection is not null)
                {
                    targets = [message.Connection];
                }
                else if (message.Sid is null)
                {
                    lock (gate)
                    {
                        targets = [.. all];
                    }
                }
                else
                {
                    var c = Find(message.Sid);
                    targets = c is null ? [] : [c];
                }

                foreach (var target in targets)
                {
                    await SendOneAsync(target, message).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendOneAsync(WsConnection target, Outbound message)
    {
        if (target.Socket.State != WebSocketState.Open)
        {
            return;
        }

        var remaining = Volatile.Read(ref dropAfter);
        if (remaining == 0)
        {
            Volatile.Write(ref dropAfter, -1);
            DropAll();
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, target.Closed.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await target.Socket.SendAsync(message.Payload, message.Kind, endOfMessage: true, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            target.Abort();
            return;
        }

        if (remaining > 0 && Interlocked.Decrement(ref dropAfter) == 0)
        {
            Volatile.Write(ref dropAfter, -1);
            DropAll();
        }
    }

    public async Task StopAsync()
    {
        stop.Cancel();
        DropAll(abort: true);
        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose() => stop.Dispose();

    private sealed record Outbound(string? Sid, byte[] Payload, WebSocketMessageType Kind, WsConnection? Connection, TaskCompletionSource? Flushed = null);
}
